import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { type Compensation, compensationsFor, FORWARD_STEPS, type SagaFunction, STEPS } from '../../src/lib/saga.js';
import type { SproutFunction } from '../sprout/sprout-function.js';

export interface OrchestrationProps {
  functions: Record<SagaFunction, SproutFunction>;
  /** Where a compensation that failed every retry is reported, with what an operator needs to finish it. */
  repairQueue: sqs.IQueue;
  compensationRetryAttempts: number;
}

/** The state names of the compensations' failure reports, the failure records and the end states (the tests drive them by name). */
export const reportState = (compensation: Compensation) => `Report ${compensation} failure`;
export const failureState = (step: string, outcome: 'rejected' | 'failed') => `${step} ${outcome}`;
export const CONFIRMED = 'OrderConfirmed';
export const FAILED = 'OrderFailed';

/**
 * The saga as a Step Functions Standard workflow:
 *
 *   ReserveInventory → ChargePayment → ArrangeShipping → OrderConfirmed
 *
 * Each step has two Catches. Its rejections (InventoryUnavailable, PaymentDeclined…: the step said no
 * and wrote nothing) start the compensations of the steps before it; any other error (it may have
 * written before failing) starts with its own compensation. The compensations run in reverse order,
 * CancelShipment → RefundPayment → ReleaseInventory, each retried with backoff; one that still fails
 * is reported to the repair queue and the next one runs anyway (they are independent: a refund
 * that cannot be made now is no reason to keep stock held). Then the execution fails with
 * OrderFailed and a cause naming the order, the step and the error.
 */
export class Orchestration extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: OrchestrationProps) {
    super(scope, id);
    const { functions, repairQueue, compensationRetryAttempts } = props;

    const invoke = (fn: SagaFunction, resultPath: string, retryOnServiceExceptions: boolean) =>
      new tasks.LambdaInvoke(this, fn, {
        stateName: fn,
        lambdaFunction: functions[fn].function,
        // The function gets the whole saga state and returns only its result, stored at resultPath.
        payloadResponseOnly: true,
        resultPath,
        retryOnServiceExceptions,
      });

    const failed = new sfn.Fail(this, FAILED, { stateName: FAILED, error: FAILED, causePath: '$.outcome.cause' });
    const compensated = new sfn.Pass(this, 'Compensated', {
      stateName: 'Compensated',
      parameters: {
        cause: sfn.JsonPath.format(
          'Order {} failed at {} ({} {}); what it had done was compensated. A compensation that could not be done is in the repair queue.',
          sfn.JsonPath.stringAt('$.orderId'),
          sfn.JsonPath.stringAt('$.saga.failure.step'),
          sfn.JsonPath.stringAt('$.saga.failure.outcome'),
          sfn.JsonPath.stringAt('$.saga.failure.error'),
        ),
      },
      resultPath: '$.outcome',
    }).next(failed);

    // The compensations, built from the last one back, each continuing with the one after it.
    const chain = compensationsFor('ArrangeShipping', 'failed'); // CancelShipment, RefundPayment, ReleaseInventory
    const entry = {} as Record<Compensation, sfn.IChainable>;
    let next: sfn.IChainable = compensated;
    for (const compensation of [...chain].reverse()) {
      const resultPath = `$.saga.compensations.${compensation}`;
      const task = invoke(compensation, resultPath, false);
      // Compensations are idempotent, so retrying any error is safe; backoff with jitter gives a
      // throttled table or a brief outage time to pass before the order goes to a human.
      if (compensationRetryAttempts > 0) {
        task.addRetry({ errors: [sfn.Errors.ALL], maxAttempts: compensationRetryAttempts, interval: Duration.seconds(2), backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
      }
      const report = new tasks.SqsSendMessage(this, reportState(compensation), {
        stateName: reportState(compensation),
        queue: repairQueue,
        messageBody: sfn.TaskInput.fromObject({
          orderId: sfn.JsonPath.stringAt('$.orderId'),
          executionId: sfn.JsonPath.stringAt('$$.Execution.Id'),
          failedStep: sfn.JsonPath.stringAt('$.saga.failure.step'),
          failure: sfn.JsonPath.objectAt('$.saga.failure'),
          failedCompensation: compensation,
          compensationError: sfn.JsonPath.objectAt(resultPath),
          // Every compensation so far: a result ({outcome}) or the error it ended with.
          compensations: sfn.JsonPath.objectAt('$.saga.compensations'),
          order: sfn.JsonPath.objectAt('$$.Execution.Input'),
          repair: `Fix the cause, then run ${compensation} again for this order (it is idempotent): see README.md, "Repairing a failed compensation".`,
        }),
        resultPath: sfn.JsonPath.DISCARD,
      });
      // SQS is rarely unavailable for long; if it still is, the execution fails here, with the
      // report in its history, rather than lose it silently.
      report.addRetry({ errors: [sfn.Errors.ALL], maxAttempts: 5, interval: Duration.seconds(1), backoffRate: 2 });
      task.addCatch(report, { errors: [sfn.Errors.ALL], resultPath });
      task.next(next);
      report.next(next);
      entry[compensation] = task;
      next = task;
    }

    const start = (compensations: Compensation[]): sfn.IChainable => (compensations[0] ? entry[compensations[0]] : compensated);
    const steps = FORWARD_STEPS.map((step) => {
      const task = invoke(step, `$.${STEPS[step].resultKey}`, true);
      // Lambda throttling is worth waiting out; the steps are idempotent, so a repeat is safe.
      task.addRetry({ errors: ['Lambda.TooManyRequestsException'], maxAttempts: 6, interval: Duration.seconds(1), backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
      for (const outcome of ['rejected', 'failed'] as const) {
        const record = new sfn.Pass(this, failureState(step, outcome), {
          stateName: failureState(step, outcome),
          parameters: {
            failure: { step, outcome, error: sfn.JsonPath.stringAt('$.error.Error'), cause: sfn.JsonPath.stringAt('$.error.Cause') },
            compensations: {},
          },
          resultPath: '$.saga',
        });
        record.next(start(compensationsFor(step, outcome)));
        task.addCatch(record, { errors: outcome === 'rejected' ? [...STEPS[step].rejections] : [sfn.Errors.ALL], resultPath: '$.error' });
      }
      return task;
    });
    const definition = steps[0]!.next(steps[1]!).next(steps[2]!).next(new sfn.Succeed(this, CONFIRMED, { stateName: CONFIRMED }));

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      // Standard: exactly-once steps, executions up to a year, and a history of every order for 90 days.
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });

    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions needs the logs:*LogDelivery / Describe* actions and X-Ray PutTraceSegments, which do not support resource-level permissions, so Resource "*" is the narrowest scope.',
    });
    for (const fn of Object.values(functions)) {
      Validations.of(this.stateMachine.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fn.function.node.defaultChild as CfnElement)}.Arn>:*]`,
        reason: 'CDK grants lambda:InvokeFunction on the function and its versions (ARN:*): the state machine may invoke only these six functions, in any version.',
      });
    }
  }
}

import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ERROR_NAMES } from '../../src/lib/errors.js';
import { initialFlags } from '../../src/lib/flags.js';
import { encodeAppConfig } from '../../src/sprout/flags/codec.js';
import { type Options, retryMaxDelaySeconds } from '../config.js';
import { FeatureFlags } from '../sprout/feature-flags.js';
import { SproutFunction } from '../sprout/sprout-function.js';

/** The task functions, by their file in src/functions/. */
export const TASK_FUNCTIONS = ['validate-order', 'price-line', 'assess-risk', 'build-quote'] as const;
export type TaskFunction = (typeof TASK_FUNCTIONS)[number];

/**
 * The errors worth retrying: Lambda's transient service errors (the list Step Functions'
 * best-practice page gives), Lambda throttling the invocation, and the handlers' own
 * TransientError. Not retried: ValidationError (it would fail again), Lambda.Unknown (a function
 * timeout or out-of-memory, likely to happen again) and any other handler error (a bug).
 */
export const TRANSIENT_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  ERROR_NAMES.transient,
];

export interface OrderWorkflowProps {
  resourceName: string;
  stage: string;
  options: Options;
}

/**
 * The order-quote workflow: Validate → Price (Parallel: a Map pricing each line ‖ AssessRisk) →
 * Decide (Choice: refer high-risk orders, quote the rest). A ValidationError from Validate is
 * caught and answered as "rejected"; any other error that survives its retries ends in Failed
 * with the original error and cause.
 */
export class OrderWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly functions: Record<TaskFunction, SproutFunction>;
  readonly flags: FeatureFlags;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: OrderWorkflowProps) {
    super(scope, id);
    const { options, resourceName, stage } = props;
    const express = options.workflowType === 'express';

    const fn = (entry: TaskFunction, description: string) => new SproutFunction(this, `${toConstructId(entry)}Function`, { entry, description, serviceName: resourceName });
    this.functions = {
      'validate-order': fn('validate-order', 'Workflow task Validate: checks and normalizes the order'),
      'price-line': fn('price-line', 'Workflow task PriceLine: prices one order line (Map state)'),
      'assess-risk': fn('assess-risk', 'Workflow task AssessRisk: scores the order (Parallel branch)'),
      'build-quote': fn('build-quote', 'Workflow task Quote: shipping and total'),
    };
    // No function calls an AWS service (price-line reads the flags, granted below): each role keeps
    // only its own log group and X-Ray.

    // The flag store `sprout flags --stage <stage>` manages. It starts with initialFlags (the sample
    // flag, off), written once at creation: redeploying never reverts a flag.
    this.flags = new FeatureFlags(this, 'Flags', { initialContent: encodeAppConfig(initialFlags), environmentName: stage });
    // Only price-line evaluates volume-discount.
    this.flags.grantRead(this.functions['price-line'].function);

    const invoke = (stateName: string, entry: TaskFunction) => {
      const task = new tasks.LambdaInvoke(this, stateName, {
        lambdaFunction: this.functions[entry].function,
        // Resource is the function's ARN, so the state's result is exactly what the handler
        // returned (the arn:aws:states:::lambda:invoke form would wrap it in the Invoke API
        // response: StatusCode, ExecutedVersion, Payload, SdkHttpMetadata…). The state's whole
        // input is the function's event.
        payloadResponseOnly: true,
        // CDK's default retry covers four Lambda service errors without jitter; the one below
        // covers those, throttling and TransientError.
        retryOnServiceExceptions: false,
        // Well above the function's own 10 s timeout: this only fires if the invocation itself hangs.
        taskTimeout: sfn.Timeout.duration(Duration.seconds(30)),
      });
      if (options.maxRetryAttempts > 0) {
        task.addRetry({
          errors: TRANSIENT_ERRORS,
          interval: Duration.seconds(options.retryIntervalSeconds),
          maxAttempts: options.maxRetryAttempts,
          backoffRate: 2,
          maxDelay: Duration.seconds(retryMaxDelaySeconds(options)),
          // FULL: each wait is random between 0 and the backoff value, so executions throttled
          // together do not all retry at the same moment.
          jitterStrategy: sfn.JitterType.FULL,
        });
      }
      return task;
    };

    const failed = new sfn.Fail(this, 'Failed', {
      comment: 'Ends the execution with the error and cause of the state that failed',
      errorPath: '$.error.Error',
      causePath: '$.error.Cause',
    });
    // The Cause of a Lambda function error is the runtime's error JSON: {errorType, errorMessage, trace}.
    const readRejection = new sfn.Pass(this, 'ReadRejection', {
      comment: 'Parses the ValidationError the Validate function threw',
      parameters: { 'cause.$': 'States.StringToJson($.error.Cause)' },
    });
    const rejected = new sfn.Pass(this, 'Rejected', {
      comment: 'The input can never succeed: a result, not a failed execution',
      parameters: { status: 'rejected', 'reason.$': '$.cause.errorMessage' },
    });

    const validate = invoke('Validate', 'validate-order')
      .addCatch(readRejection.next(rejected), { errors: [ERROR_NAMES.validation], resultPath: '$.error' })
      .addCatch(failed, { errors: [sfn.Errors.ALL], resultPath: '$.error' });

    const priceLines = new sfn.Map(this, 'PriceLines', {
      comment: 'Prices each order line with its own PriceLine invocation',
      itemsPath: '$.items',
      itemSelector: {
        'customerId.$': '$.customer.id',
        'tier.$': '$.customer.tier',
        'item.$': '$$.Map.Item.Value',
      },
      // Lines are independent; 10 at a time keeps a 100-line order from using 100 concurrent Lambdas.
      maxConcurrency: 10,
    });
    priceLines.itemProcessor(invoke('PriceLine', 'price-line'));

    const price = new sfn.Parallel(this, 'Price', {
      comment: 'Prices the lines and assesses the risk at the same time',
      resultSelector: { 'lines.$': '$[0]', 'risk.$': '$[1]' },
      resultPath: '$.pricing',
    })
      .branch(priceLines)
      .branch(invoke('AssessRisk', 'assess-risk'))
      .addCatch(failed, { errors: [sfn.Errors.ALL], resultPath: '$.error' });

    const referred = new sfn.Pass(this, 'Referred', {
      comment: 'High risk: no automatic quote; a person reviews the order',
      parameters: { 'orderId.$': '$.orderId', status: 'referred', 'risk.$': '$.pricing.risk' },
    });
    const quote = invoke('Quote', 'build-quote').addCatch(failed, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
    const decide = new sfn.Choice(this, 'Decide', { comment: 'Refers high-risk orders, quotes the rest' })
      .when(sfn.Condition.stringEquals('$.pricing.risk.level', 'high'), referred)
      .otherwise(quote);

    // Vended-logs prefix: Step Functions then needs no CloudWatch Logs resource policy per log group.
    this.logGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-orders`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: `Order quotes (${resourceName}, ${stage}): Validate, Price (Map ‖ AssessRisk), Decide`,
      stateMachineType: express ? sfn.StateMachineType.EXPRESS : sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(validate.next(price).next(decide)),
      // Express executions stop at 5 minutes whatever this says. A Standard one could run a year;
      // an order quote that has not finished in an hour is stuck, and should fail where you see it.
      timeout: express ? Duration.minutes(5) : Duration.hours(1),
      tracingEnabled: true,
      logs: {
        destination: this.logGroup,
        level: sfn.LogLevel[options.logLevel],
        // Each step's input and output in the log: for Express executions the only record of what
        // happened. The orders hold no secrets; turn it off if your input does.
        includeExecutionData: true,
      },
    });

    // Least privilege: the role may invoke these four functions and nothing else (CDK adds each
    // task's lambda:InvokeFunction), and write its logs and traces.
    const role = this.stateMachine.role;
    for (const task of Object.values(this.functions)) {
      const arn = Stack.of(this).resolve(task.function.functionArn) as { 'Fn::GetAtt': [string, string] };
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${arn['Fn::GetAtt'][0]}.Arn>:*]`,
        reason:
          'The lambda:invoke integration is granted the function and its qualified ARNs (<function ARN>:<version or alias>); the wildcard covers only versions and aliases of this one function, which this construct owns.',
      });
    }
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) and CloudWatch Logs delivery for Step Functions (logs:CreateLogDelivery and the other log-delivery actions) do not support resource-level permissions, so Resource "*" is the narrowest possible scope.',
    });
    if (options.logLevel !== 'ALL') {
      Validations.of(this.stateMachine).acknowledge({
        id: 'AwsSolutions-SF1',
        reason: `sprout.json chose logLevel ${options.logLevel}: only ${options.logLevel === 'ERROR' ? 'failed executions and states' : 'failed executions'} are logged, to cut CloudWatch Logs cost. ${express ? 'Express workflows keep no other history, so successful executions leave no trace but metrics.' : 'Standard workflows still keep every execution\'s full history in Step Functions for 90 days.'}`,
      });
    }
  }
}

/** validate-order → ValidateOrder (the state names are taken: PriceLine is a state, PriceLineFunction its function) */
function toConstructId(entry: string): string {
  return entry.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase());
}

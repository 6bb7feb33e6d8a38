import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { onFailureOf, ROUTES } from '../../src/lib/choreography.js';
import { FORWARD_STEPS, type SagaFunction } from '../../src/lib/saga.js';
import type { SproutFunction } from '../sprout/sprout-function.js';

export interface ChoreographyProps {
  functions: Record<SagaFunction, SproutFunction>;
  busName: string;
  repairQueue: sqs.IQueue;
  /** EventBridge's dead-letter queue for events it could not deliver to a target. */
  undeliveredQueue: sqs.IQueue;
  compensationRetryAttempts: number;
}

/** Lambda retries an asynchronous invocation at most twice (about 1 and 2 minutes apart). */
export const LAMBDA_MAX_ASYNC_RETRIES = 2;
/** The patterns EventBridge matches on for a failure record that Lambda puts on the bus. */
export const FAILURE_CONDITIONS = ['RetriesExhausted', 'EventAgeExceeded'];

/**
 * The saga without a coordinator: a custom event bus, one rule per route of src/lib/choreography.ts
 * (the services publish, the rules start the next function), and the failure paths:
 * - every function is invoked asynchronously by EventBridge; Lambda retries a failed invocation,
 *   then puts the failure record on the bus (on-failure destination). A rule per function matches
 *   that record: a forward step's failure starts its own compensation, a compensation's failure
 *   goes to the repair queue and starts the next compensation;
 * - every rule target has a retry policy and a dead-letter queue for events EventBridge could not
 *   deliver (Lambda throttled the Invoke call, or the function was deleted).
 */
export class Choreography extends Construct {
  readonly bus: events.EventBus;

  constructor(scope: Construct, id: string, props: ChoreographyProps) {
    super(scope, id);
    const { functions, repairQueue, undeliveredQueue } = props;
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: props.busName, description: 'Order saga events between the inventory, payment and shipping services' });

    // EventBridge retries delivery with backoff when Lambda rejects the Invoke call (throttling);
    // an hour covers any throttling worth waiting for. What still fails lands in the DLQ.
    const delivery = { deadLetterQueue: undeliveredQueue, retryAttempts: 20, maxEventAge: Duration.hours(1) };

    for (const [name, sproutFunction] of Object.entries(functions) as Array<[SagaFunction, SproutFunction]>) {
      // The handler publishes the next event on this bus, and nowhere else.
      sproutFunction.allow(['events:PutEvents'], [this.bus.eventBusArn]);
      const forward = (FORWARD_STEPS as readonly string[]).includes(name);
      sproutFunction.function.configureAsyncInvoke({
        // Forward steps are idempotent, so Lambda's two retries are safe; a compensation gets the
        // configured retries, up to the two Lambda allows.
        retryAttempts: forward ? LAMBDA_MAX_ASYNC_RETRIES : Math.min(props.compensationRetryAttempts, LAMBDA_MAX_ASYNC_RETRIES),
        maxEventAge: Duration.hours(6),
        onFailure: new destinations.EventBridgeDestination(this.bus),
      });
    }

    for (const route of ROUTES) {
      new events.Rule(this, `${route.detailType}To${route.target}`, {
        eventBus: this.bus,
        description: `${route.detailType} starts ${route.target}`,
        eventPattern: { source: [route.source], detailType: [route.detailType] },
        targets: [new targets.LambdaFunction(functions[route.target].function, delivery)],
      });
    }

    for (const [name, sproutFunction] of Object.entries(functions) as Array<[SagaFunction, SproutFunction]>) {
      const { target, repair } = onFailureOf(name);
      new events.Rule(this, `${name}Failed`, {
        eventBus: this.bus,
        description: `${name} failed every retry: ${[target && `start ${target}`, repair && 'report to the repair queue'].filter(Boolean).join(', ')}`,
        // The record Lambda puts on the bus (source "lambda"); its resources list the function's
        // $LATEST ARN, the version EventBridge invokes.
        eventPattern: {
          source: ['lambda'],
          resources: [`${sproutFunction.function.functionArn}:$LATEST`],
          detail: { requestContext: { condition: FAILURE_CONDITIONS } },
        },
        targets: [
          ...(target ? [new targets.LambdaFunction(functions[target].function, delivery)] : []),
          ...(repair ? [new targets.SqsQueue(repairQueue, delivery)] : []),
        ],
      });
    }
  }
}

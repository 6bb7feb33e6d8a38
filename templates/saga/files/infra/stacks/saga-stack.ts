import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Config } from '../config.js';
import { Choreography } from '../constructs/choreography.js';
import { Orchestration } from '../constructs/orchestration.js';
import { addOrderServices } from '../constructs/order-services.js';

export interface SagaStackProps extends StackProps {
  config: Config;
}

/** The three services, the repair queue, and the saga's coordination: a state machine, or an event bus. */
export class SagaStack extends Stack {
  constructor(scope: Construct, id: string, props: SagaStackProps) {
    super(scope, id, props);
    const { options, resourceName, stage } = props.config;
    const services = addOrderServices(this, { resourceName, stage, coordination: options.coordination });

    const deadLetterQueue = (queueId: string) => {
      const queue = new sqs.Queue(this, queueId, {
        retentionPeriod: Duration.days(options.dlqRetentionDays),
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      });
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself a dead-letter queue (the end of the line for a failed compensation or an undeliverable event): it has none of its own.',
      });
      return queue;
    };
    // A failed compensation, with what is needed to finish it by hand.
    const repairQueue = deadLetterQueue('RepairQueue');
    // Someone must look at every message here: an order is stuck half-undone.
    new cloudwatch.Alarm(this, 'RepairNeeded', {
      alarmDescription: 'A saga compensation failed every retry: see the repair queue and README.md, "Repairing a failed compensation"',
      metric: repairQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    if (options.coordination === 'orchestration') {
      const { stateMachine } = new Orchestration(this, 'Orchestration', {
        functions: services.functions,
        repairQueue,
        compensationRetryAttempts: options.compensationRetryAttempts,
      });
      new CfnOutput(this, 'StateMachineArn', { value: stateMachine.stateMachineArn, description: 'Start a saga: aws stepfunctions start-execution --state-machine-arn <this> --name <orderId> --input file://order.json' });
    } else {
      const { bus } = new Choreography(this, 'Choreography', {
        functions: services.functions,
        busName: `${resourceName}-${stage}-orders`,
        repairQueue,
        undeliveredQueue: deadLetterQueue('UndeliveredEvents'),
        compensationRetryAttempts: options.compensationRetryAttempts,
      });
      for (const fn of Object.values(services.functions)) fn.function.addEnvironment('EVENT_BUS_NAME', bus.eventBusName);
      new CfnOutput(this, 'EventBusName', { value: bus.eventBusName, description: 'Start a saga: aws events put-events with Source saga.orders, DetailType OrderPlaced' });
    }

    new CfnOutput(this, 'RepairQueueUrl', { value: repairQueue.queueUrl, description: 'Failed compensations, with the context to repair them' });
    new CfnOutput(this, 'InventoryTableName', { value: services.tables.inventory.tableName });
    new CfnOutput(this, 'PaymentsTableName', { value: services.tables.payments.tableName });
    new CfnOutput(this, 'ShipmentsTableName', { value: services.tables.shipments.tableName });
  }
}

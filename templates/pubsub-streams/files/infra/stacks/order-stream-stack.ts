import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Config } from '../config.js';
import { addOrderStream } from '../constructs/order-stream.js';

export interface OrderStreamStackProps extends StackProps {
  config: Config;
}

export class OrderStreamStack extends Stack {
  constructor(scope: Construct, id: string, props: OrderStreamStackProps) {
    super(scope, id, props);
    const { options, resourceName, stage } = props.config;
    const { stream, orders, failedBatches, consumer } = addOrderStream(this, { options, resourceName, stage });

    new CfnOutput(this, 'StreamName', { value: stream.streamName, description: 'Put order events here (partition key: the order id)' });
    new CfnOutput(this, 'StreamArn', { value: stream.streamArn });
    new CfnOutput(this, 'OrdersTableName', { value: orders.tableName, description: 'One item per order, written by the consumer' });
    new CfnOutput(this, 'FailedBatchesQueueUrl', { value: failedBatches.queueUrl, description: 'Batches Lambda gave up on (shard and sequence range)' });
    new CfnOutput(this, 'ConsumerFunctionName', { value: consumer.function.functionName });
  }
}

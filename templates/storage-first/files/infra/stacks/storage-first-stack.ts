import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { initialFlags } from '../../src/lib/flags.js';
import { encodeAppConfig } from '../../src/sprout/flags/codec.js';
import type { Config } from '../config.js';
import { IngestApi } from '../constructs/ingest-api.js';
import { QueueBuffer, StreamBuffer } from '../constructs/order-buffer.js';
import { OrderStore } from '../constructs/order-store.js';
import { FeatureFlags } from '../sprout/feature-flags.js';
import { ApiServiceDomain } from '../sprout/service-domain.js';
import { SproutFunction } from '../sprout/sprout-function.js';

export interface StorageFirstStackProps extends StackProps {
  config: Config;
}

/**
 * Storage first: API Gateway writes each order straight into a buffer (an SQS queue, or a
 * Kinesis stream with `buffer: kinesis`), answers 202, and a consumer Lambda stores the orders
 * later, in batches, idempotently.
 */
export class StorageFirstStack extends Stack {
  constructor(scope: Construct, id: string, props: StorageFirstStackProps) {
    super(scope, id, props);
    const { options, resourceName, stage, domain } = props.config;

    const store = new OrderStore(this, 'Store');

    const consumer = new SproutFunction(this, 'ProcessOrders', {
      entry: options.buffer === 'sqs' ? 'process-queue' : 'process-stream',
      description: `Stores the orders buffered in the ${options.buffer === 'sqs' ? 'queue' : 'stream'}`,
      serviceName: resourceName,
      timeout: Duration.seconds(options.consumerTimeoutSeconds),
      environment: { ORDERS_TABLE_NAME: store.orders.tableName, IDEMPOTENCY_TABLE_NAME: store.idempotency.tableName },
    });
    // Least privilege: a conditional PutItem on the orders table, and what Powertools idempotency
    // does with its own records (read, write, complete, and delete when processing failed).
    consumer.allow(['dynamodb:PutItem'], [store.orders.tableArn]);
    consumer.allow(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], [store.idempotency.tableArn]);

    // The flag store `sprout flags --stage <stage>` manages; the consumer evaluates hold-large-orders.
    const flags = new FeatureFlags(this, 'Flags', { initialContent: encodeAppConfig(initialFlags), environmentName: stage });
    flags.grantRead(consumer.function);

    let ingest: IngestApi;
    if (options.buffer === 'sqs') {
      const buffer = new QueueBuffer(this, 'Buffer', options);
      buffer.connect(consumer.function, options);
      ingest = new IngestApi(this, 'Api', { name: `${resourceName}-${stage}`, stageName: stage, target: { kind: 'sqs', queue: buffer.queue } });
      new CfnOutput(this, 'QueueUrl', { value: buffer.queue.queueUrl, description: 'The queue POST /orders writes into' });
      new CfnOutput(this, 'DeadLetterQueueUrl', { value: buffer.deadLetterQueue.queueUrl, description: 'Where a message goes after maxReceiveCount failed deliveries' });
    } else {
      const buffer = new StreamBuffer(this, 'Buffer');
      buffer.connect(consumer.function, options);
      ingest = new IngestApi(this, 'Api', { name: `${resourceName}-${stage}`, stageName: stage, target: { kind: 'kinesis', stream: buffer.stream } });
      new CfnOutput(this, 'StreamName', { value: buffer.stream.streamName, description: 'The stream POST /orders writes into' });
      new CfnOutput(this, 'FailuresQueueUrl', { value: buffer.failures.queueUrl, description: 'Where Lambda records each batch it gave up on' });
    }

    // Deployed through sprout with a domain section: the API's own host name, or a path on the shared one.
    if (domain) new ApiServiceDomain(this, 'Domain', { api: ingest.api, stage: ingest.api.deploymentStage, domain });

    new CfnOutput(this, 'OrdersUrl', { value: ingest.api.urlForPath('/orders'), description: 'POST an order here' });
    new CfnOutput(this, 'OrdersTableName', { value: store.orders.tableName, description: 'Where the consumer stores the orders' });
  }
}

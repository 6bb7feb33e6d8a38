import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { idempotencyTable, itemsTable } from '../../src/lib/table-schema.js';

export interface ItemsStoreProps {
  /** What `cdk destroy` does to the items table (the `tableRemovalPolicy` option). */
  itemsRemovalPolicy: RemovalPolicy;
}

/** The items table and the idempotency table that makes create safe to retry. */
export class ItemsStore extends Construct {
  readonly items: dynamodb.Table;
  readonly idempotency: dynamodb.Table;

  constructor(scope: Construct, id: string, props: ItemsStoreProps) {
    super(scope, id);

    this.items = new dynamodb.Table(this, 'Items', {
      partitionKey: { name: itemsTable.partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.itemsRemovalPolicy,
    });
    this.items.addGlobalSecondaryIndex({
      indexName: itemsTable.listIndex.name,
      partitionKey: { name: itemsTable.listIndex.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: itemsTable.listIndex.sortKey, type: dynamodb.AttributeType.STRING },
    });

    this.idempotency = new dynamodb.Table(this, 'Idempotency', {
      partitionKey: { name: idempotencyTable.partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: idempotencyTable.timeToLiveAttribute,
      // Only short-lived retry records live here; nothing to keep once the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.idempotency).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason:
        'The idempotency table holds only retry records that expire after one hour (TTL); restoring it to an earlier point would bring back nothing of value, so point-in-time recovery would be cost without benefit.',
    });
  }
}

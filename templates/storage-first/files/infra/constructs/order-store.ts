import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { idempotencyTable, ordersTable } from '../../src/lib/table-schema.js';

/** Where the consumer writes: the orders table, and the idempotency records that keep it from writing twice. */
export class OrderStore extends Construct {
  readonly orders: dynamodb.Table;
  readonly idempotency: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.orders = new dynamodb.Table(this, 'Orders', {
      partitionKey: { name: ordersTable.partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // The accepted orders are the point of the service: `cdk destroy` keeps them (see the README).
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.idempotency = new dynamodb.Table(this, 'Idempotency', {
      partitionKey: { name: idempotencyTable.partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: idempotencyTable.timeToLiveAttribute,
      // Only short-lived records live here; nothing to keep once the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.idempotency).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason:
        'The idempotency table holds only records that expire after 24 hours (TTL); restoring it to an earlier point would bring back nothing of value, so point-in-time recovery would be cost without benefit.',
    });
  }
}

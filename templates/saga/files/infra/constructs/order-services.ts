import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { initialFlags } from '../../src/lib/flags.js';
import { ENTRIES, type SagaFunction } from '../../src/lib/saga.js';
import { tables as schema } from '../../src/lib/table-schema.js';
import { encodeAppConfig } from '../../src/sprout/flags/codec.js';
import type { Coordination } from '../config.js';
import { FeatureFlags } from '../sprout/feature-flags.js';
import { SproutFunction } from '../sprout/sprout-function.js';

export interface OrderServicesProps {
  resourceName: string;
  stage: string;
  coordination: Coordination;
}

export interface OrderServices {
  tables: Record<keyof typeof schema, dynamodb.Table>;
  functions: Record<SagaFunction, SproutFunction>;
  flags: FeatureFlags;
}

const DESCRIPTIONS: Record<SagaFunction, string> = {
  ReserveInventory: 'Saga step 1: reserve the order\'s inventory',
  ChargePayment: 'Saga step 2: charge the order\'s payment',
  ArrangeShipping: 'Saga step 3: arrange the order\'s shipping',
  CancelShipment: 'Compensation of step 3: cancel the shipment',
  RefundPayment: 'Compensation of step 2: refund the payment',
  ReleaseInventory: 'Compensation of step 1: release the inventory',
};

/**
 * The three services the saga spans (inventory, payments, shipping): each with its own table and
 * two functions, a step and its compensation. Nothing here knows how the saga is coordinated,
 * except the SAGA_COORDINATION variable that tells a handler what it is invoked with.
 */
export function addOrderServices(scope: Construct, props: OrderServicesProps): OrderServices {
  const table = (id: string, partitionKey: string) =>
    new dynamodb.Table(scope, id, {
      partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Reservations, payments and shipments are business records: deleting the stack keeps them.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  const tables = {
    inventory: table('InventoryTable', schema.inventory.partitionKey),
    payments: table('PaymentsTable', schema.payments.partitionKey),
    shipments: table('ShipmentsTable', schema.shipments.partitionKey),
  };

  const fn = (name: SagaFunction, service: keyof typeof schema) =>
    new SproutFunction(scope, name, {
      entry: ENTRIES[name],
      description: DESCRIPTIONS[name],
      serviceName: props.resourceName,
      // I/O-bound: a few DynamoDB writes (and, in choreography, one PutEvents).
      memorySize: 256,
      environment: { [schema[service].env]: tables[service].tableName, SAGA_COORDINATION: props.coordination },
    });
  const functions: Record<SagaFunction, SproutFunction> = {
    ReserveInventory: fn('ReserveInventory', 'inventory'),
    ChargePayment: fn('ChargePayment', 'payments'),
    ArrangeShipping: fn('ArrangeShipping', 'shipments'),
    CancelShipment: fn('CancelShipment', 'shipments'),
    RefundPayment: fn('RefundPayment', 'payments'),
    ReleaseInventory: fn('ReleaseInventory', 'inventory'),
  };

  // Least privilege: each function may call exactly the DynamoDB actions its code calls, on its
  // own service's table (consistent GetItem, conditional PutItem and UpdateItem).
  functions.ReserveInventory.allow(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [tables.inventory.tableArn]);
  functions.ReleaseInventory.allow(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [tables.inventory.tableArn]);
  functions.ChargePayment.allow(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [tables.payments.tableArn]);
  functions.RefundPayment.allow(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [tables.payments.tableArn]);
  functions.ArrangeShipping.allow(['dynamodb:GetItem', 'dynamodb:PutItem'], [tables.shipments.tableArn]);
  functions.CancelShipment.allow(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [tables.shipments.tableArn]);

  // The flag store `sprout flags --stage <stage>` manages. It starts with initialFlags (the sample
  // flag, off), written once at creation: redeploying never reverts a flag.
  const flags = new FeatureFlags(scope, 'Flags', { initialContent: encodeAppConfig(initialFlags), environmentName: props.stage });
  // Only ArrangeShipping evaluates priority-shipping.
  flags.grantRead(functions.ArrangeShipping.function);

  return { tables, functions, flags };
}

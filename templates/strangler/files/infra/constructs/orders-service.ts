import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { initialFlags } from '../../src/lib/flags.js';
import { ordersTable } from '../../src/lib/table-schema.js';
import { encodeAppConfig } from '../../src/sprout/flags/codec.js';
import type { Options } from '../config.js';
import { FeatureFlags } from '../sprout/feature-flags.js';
import { SproutFunction } from '../sprout/sprout-function.js';

export interface OrdersServiceProps {
  resourceName: string;
  stage: string;
  options: Options;
}

export interface OrdersService {
  table: dynamodb.Table;
  handler: SproutFunction;
  flags: FeatureFlags;
}

/**
 * The longest a read-through call to legacy may take: the function's timeout is this plus a
 * margin, and stays under API Gateway's 29 s integration timeout, so a slow legacy backend ends
 * as the service's own 504 LEGACY_TIMEOUT, not a gateway timeout.
 */
export const MAX_READ_THROUGH_TIMEOUT_MS = 25_000;
const FUNCTION_TIMEOUT_MARGIN_S = 3;

/** The read-through timeout for the `legacyTimeoutMs` option, and the function timeout around it. */
export function serviceTimeouts(legacyTimeoutMs: number): { readThroughMs: number; functionSeconds: number } {
  const readThroughMs = Math.min(legacyTimeoutMs, MAX_READ_THROUGH_TIMEOUT_MS);
  return { readThroughMs, functionSeconds: Math.ceil(readThroughMs / 1000) + FUNCTION_TIMEOUT_MARGIN_S };
}

/**
 * The new service (the orders table, its function, the flag store), added straight into `scope`
 * so its logical ids stay stable. The function may put and get orders in its table, read its flag
 * configuration, and nothing else; its read-through calls to legacy go over the internet, like the
 * facade's own.
 */
export function addOrdersService(scope: Construct, props: OrdersServiceProps): OrdersService {
  const { options, resourceName, stage } = props;

  const table = new dynamodb.Table(scope, 'Orders', {
    partitionKey: { name: ordersTable.partitionKey, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy: options.tableRemovalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
  });

  const timeouts = serviceTimeouts(options.legacyTimeoutMs);
  const handler = new SproutFunction(scope, 'OrdersService', {
    entry: 'orders',
    description: 'The new service behind the strangler facade: the orders API',
    serviceName: resourceName,
    timeout: Duration.seconds(timeouts.functionSeconds),
    environment: {
      TABLE_NAME: table.tableName,
      LEGACY_BASE_URL: options.legacyBaseUrl,
      LEGACY_TIMEOUT_MS: String(timeouts.readThroughMs),
    },
  });
  // Least privilege: exactly the two DynamoDB actions the code calls, on its own table.
  handler.allow(['dynamodb:PutItem', 'dynamodb:GetItem'], [table.tableArn]);

  // The flag store `sprout flags --stage <stage>` manages. It starts with initialFlags (the sample
  // flag, off), written once at creation: redeploying never reverts a flag.
  const flags = new FeatureFlags(scope, 'Flags', { initialContent: encodeAppConfig(initialFlags), environmentName: stage });
  flags.grantRead(handler.function);

  return { table, handler, flags };
}

import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { initialFlags } from '../../src/lib/flags.js';
import { functionTimeoutSeconds } from '../../src/lib/settings.js';
import { circuitTable } from '../../src/lib/table-schema.js';
import { encodeAppConfig } from '../../src/sprout/flags/codec.js';
import type { Options } from '../config.js';
import type { DeploymentDomain } from '../sprout/deployment.js';
import { FeatureFlags } from '../sprout/feature-flags.js';
import { ApiServiceDomain } from '../sprout/service-domain.js';
import { SproutFunction } from '../sprout/sprout-function.js';
import { CircuitApi } from './circuit-api.js';

export interface CircuitServiceProps {
  resourceName: string;
  stage: string;
  options: Options;
  /** The custom domain `sprout deploy` planned for the API, if any. */
  domain?: DeploymentDomain;
}

export interface CircuitService {
  api: CircuitApi;
  table: dynamodb.Table;
  call: SproutFunction;
  flags: FeatureFlags;
  domain?: ApiServiceDomain;
}

/** Stage throttling. While the circuit is open every request still costs one DynamoDB read. */
export const THROTTLE = { rateLimit: 100, burstLimit: 200 };

/**
 * The circuit breaker service (REST API, the call function, the circuit state table, the flag
 * store, the custom domain), added straight into `scope` so its logical ids stay stable.
 */
export function addCircuitService(scope: Construct, props: CircuitServiceProps): CircuitService {
  const { options, resourceName, stage, domain } = props;

  // One item per circuit. The state rebuilds itself (a missing item is a closed circuit with no
  // failures), so the table goes with the stack; PITR costs next to nothing for a few items.
  const table = new dynamodb.Table(scope, 'CircuitState', {
    partitionKey: { name: circuitTable.partitionKey, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy: RemovalPolicy.DESTROY,
  });

  const api = new CircuitApi(scope, 'Api', {
    name: `${resourceName}-${stage}`,
    stageName: stage,
    throttleRateLimit: THROTTLE.rateLimit,
    throttleBurstLimit: THROTTLE.burstLimit,
  });

  const call = new SproutFunction(scope, 'Call', {
    entry: 'call',
    description: 'GET /call through the circuit breaker; GET /circuit',
    serviceName: resourceName,
    // I/O-bound: it waits on DynamoDB and the downstream service.
    memorySize: 256,
    // The call timeout plus time for the state read and writes: also the half-open trial's lease.
    timeout: Duration.seconds(functionTimeoutSeconds(options.callTimeoutMs)),
    environment: {
      TABLE_NAME: table.tableName,
      CIRCUIT_NAME: options.circuitName,
      DOWNSTREAM_URL: options.downstreamUrl,
      CALL_TIMEOUT_MS: String(options.callTimeoutMs),
      FAILURE_THRESHOLD: String(options.failureThreshold),
      COOL_DOWN_SECONDS: String(options.coolDownSeconds),
    },
  });
  // Least privilege: exactly the DynamoDB actions the breaker uses (a consistent GetItem and
  // conditional UpdateItems; PutItem is not needed), on its own table.
  call.allow(['dynamodb:GetItem', 'dynamodb:UpdateItem'], [table.tableArn]);
  api.addRoutes(call.function);

  // The flag store `sprout flags --stage <stage>` manages. It starts with initialFlags (the sample
  // flag, off), written once at creation: redeploying never reverts a flag.
  const flags = new FeatureFlags(scope, 'Flags', { initialContent: encodeAppConfig(initialFlags), environmentName: stage });
  flags.grantRead(call.function);

  // Deployed through sprout with a domain section: the API's own host name, or a path on the shared one.
  const serviceDomain = domain ? new ApiServiceDomain(scope, 'Domain', { api: api.api, stage: api.api.deploymentStage, domain }) : undefined;

  return { api, table, call, flags, ...(serviceDomain ? { domain: serviceDomain } : {}) };
}

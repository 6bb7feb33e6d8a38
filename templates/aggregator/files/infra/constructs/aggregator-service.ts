import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { initialFlags } from '../../src/lib/flags.js';
import { encodeSources, isOwnApiPath, placeholdersOf, SOURCES_VARIABLE } from '../../src/lib/sources.js';
import { encodeAppConfig } from '../../src/sprout/flags/codec.js';
import type { Options } from '../config.js';
import type { DeploymentDomain } from '../sprout/deployment.js';
import { FeatureFlags } from '../sprout/feature-flags.js';
import { ApiServiceDomain } from '../sprout/service-domain.js';
import { SproutFunction } from '../sprout/sprout-function.js';
import { AggregatorApi } from './aggregator-api.js';

export interface AggregatorServiceProps {
  resourceName: string;
  stage: string;
  options: Options;
  /** The custom domain `sprout deploy` planned for the API, if any. */
  domain?: DeploymentDomain;
}

export interface AggregatorService {
  api: AggregatorApi;
  flags: FeatureFlags;
  aggregate: SproutFunction;
  /** Only with options.demoSources. */
  demo?: SproutFunction;
  domain?: ApiServiceDomain;
}

/** Stage throttling: every aggregate request that uses the demo sources costs 1 + (number of demo sources) API requests. */
export const THROTTLE = { rateLimit: 100, burstLimit: 200 };

/**
 * The aggregator (REST API, the aggregate function, the demo sources, the flag store, the custom
 * domain), added straight into `scope` so its logical ids stay stable.
 */
export function addAggregatorService(scope: Construct, props: AggregatorServiceProps): AggregatorService {
  const { options, resourceName, stage, domain } = props;

  const api = new AggregatorApi(scope, 'Api', {
    name: `${resourceName}-${stage}`,
    stageName: stage,
    throttleRateLimit: THROTTLE.rateLimit,
    throttleBurstLimit: THROTTLE.burstLimit,
  });

  // Sources given as a path (the demo sources) are called on this API's own execute-api address.
  const usesOwnApi = options.sources.some((source) => isOwnApiPath(source.url));
  const aggregate = new SproutFunction(scope, 'Aggregate', {
    entry: 'aggregate',
    description: 'GET /aggregate: calls every source in parallel and merges the answers',
    serviceName: resourceName,
    // I/O-bound: it waits on the network, so memory (and CPU) beyond this buys little.
    memorySize: 256,
    timeout: Duration.seconds(options.functionTimeoutSeconds),
    environment: {
      [SOURCES_VARIABLE]: encodeSources(options.sources),
      ...(usesOwnApi ? { SELF_BASE_URL: api.executeApiBaseUrl } : {}),
    },
  });
  // The sources are plain HTTPS calls: the aggregator needs no AWS permission besides its logs,
  // X-Ray and (below) its flags.
  const placeholders = [...new Set(options.sources.flatMap((source) => placeholdersOf(source.url)))];
  api.addAggregate(aggregate.function, placeholders);

  let demo: SproutFunction | undefined;
  if (options.demoSources) {
    demo = new SproutFunction(scope, 'DemoSource', {
      entry: 'demo-source',
      description: 'GET /demo/{name}: demo downstream services with a chosen delay and status',
      serviceName: resourceName,
      memorySize: 128,
      // The longest demo delay is 5 s.
      timeout: Duration.seconds(10),
    });
    api.addDemo(demo.function);
  }

  // The flag store `sprout flags --stage <stage>` manages. It starts with initialFlags (the sample
  // flag, off), written once at creation: redeploying never reverts a flag.
  const flags = new FeatureFlags(scope, 'Flags', { initialContent: encodeAppConfig(initialFlags), environmentName: stage });
  // Only the aggregator evaluates skip-optional-sources.
  flags.grantRead(aggregate.function);

  // Deployed through sprout with a domain section: the API's own host name, or a path on the shared one.
  const serviceDomain = domain ? new ApiServiceDomain(scope, 'Domain', { api: api.api, stage: api.api.deploymentStage, domain }) : undefined;

  return { api, flags, aggregate, ...(demo ? { demo } : {}), ...(serviceDomain ? { domain: serviceDomain } : {}) };
}

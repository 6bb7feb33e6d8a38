import { Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type { Construct } from 'constructs';
import { EXPERIMENT_HEADER } from '../../src/sprout/experiments/conversions.js';
import { SproutFunction } from '../sprout/sprout-function.js';

export interface ConversionsEndpointProps {
  /** The REST API that gets `POST /conversions` (the items API). */
  api: apigw.RestApi;
  resourceName: string;
  /** The Stage dimension of the conversions it records. */
  stage: string;
  /**
   * Browser origins allowed to call it from another origin (the site's): the preflight allows
   * them and the `x-sprout-experiment` header the frontend sends. Absent: the API's own CORS
   * settings, if any (an API on the site's origin needs none).
   */
  corsAllowOrigins?: string[];
}

export interface ConversionsEndpoint {
  handler: SproutFunction;
  resource: apigw.Resource;
}

/**
 * `POST /conversions` on `api`: a function (src/functions/record-conversion.ts) that credits a
 * conversion to the viewer's A/B experiment variants by writing EMF lines to its log (namespace
 * Sprout/Experiments, what `sprout experiment results` reads). It needs no AWS permission beyond
 * its log group and X-Ray, which SproutFunction grants. Added straight into `scope`, like
 * addItemsService, so its logical ids do not depend on the stack that includes it.
 */
export function addConversionsEndpoint(scope: Construct, props: ConversionsEndpointProps): ConversionsEndpoint {
  const cors = props.corsAllowOrigins?.length ? props.corsAllowOrigins : undefined;
  const handler = new SproutFunction(scope, 'RecordConversion', {
    entry: 'record-conversion',
    description: 'POST /conversions: A/B experiment conversions',
    serviceName: props.resourceName,
    environment: { SPROUT_STAGE: props.stage, ...(cors ? { CORS_ALLOW_ORIGINS: cors.join(',') } : {}) },
  });

  const resource = props.api.root.addResource('conversions', {
    // Its own preflight (it replaces the API's): POST only, and the experiment header.
    ...(cors
      ? {
          defaultCorsPreflightOptions: {
            allowOrigins: cors,
            allowMethods: ['POST'],
            allowHeaders: ['Content-Type', 'Authorization', EXPERIMENT_HEADER],
            maxAge: Duration.hours(1),
          },
        }
      : {}),
  });
  resource.addMethod('POST', new apigw.LambdaIntegration(handler.function));
  return { handler, resource };
}

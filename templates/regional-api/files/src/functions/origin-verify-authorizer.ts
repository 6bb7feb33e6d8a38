import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { header } from '../lib/http.js';
import { isAccepted, type Keyring, parseKeyring, requiredEnv } from '../lib/origin-verify.js';
import { logger, metrics, tracer } from '../lib/powertools.js';

const secretId = requiredEnv('ORIGIN_VERIFY_SECRET_ARN');
const headerName = requiredEnv('ORIGIN_VERIFY_HEADER');
/**
 * How long this execution environment keeps the keyring before reading it again. Rotation never
 * depends on it being short (see src/lib/origin-verify.ts); the rotation function waits at least
 * this long plus a margin between two rotations.
 */
const cacheSeconds = Number(process.env.ORIGIN_VERIFY_CACHE_SECONDS ?? '300');

// Powertools keeps the value in memory for maxAge seconds: one GetSecretValue per environment and
// per five minutes, however many requests it authorizes.
const secrets = new SecretsProvider({ awsSdkV3Client: tracer.captureAWSv3Client(new SecretsManagerClient({})) });

async function keyring(): Promise<Keyring> {
  return parseKeyring(await secrets.get(secretId, { maxAge: cacheSeconds }));
}

/**
 * A REQUEST authorizer on every method of the API: lets a request through only when it carries
 * the origin-verify header with a value from the secret, which only CloudFront adds. API Gateway
 * caches the answer per header value, so this runs once per value and cache period, not per request.
 *
 * A wrong or missing value is a Deny (403). A secret that cannot be read is an error, not a Deny:
 * API Gateway answers 500 and caches nothing, so CloudFront's requests work again as soon as the
 * secret can be read, instead of being refused for a whole authorizer cache period.
 */
export async function handler(event: APIGatewayRequestAuthorizerEvent, context: Context): Promise<APIGatewayAuthorizerResult> {
  logger.addContext(context);
  try {
    const presented = header(event.headers, headerName);
    const allowed = isAccepted(presented, await keyring());
    if (!allowed) {
      // Never log the value: a near miss would be a hint.
      logger.warn('Request without a valid origin-verify header', {
        headerPresent: presented !== undefined,
        sourceIp: event.requestContext?.identity?.sourceIp,
        path: event.path,
      });
      metrics.addMetric('OriginVerifyRejected', MetricUnit.Count, 1);
    }
    return policy(allowed ? 'Allow' : 'Deny', event.methodArn);
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
}

/**
 * The policy covers every method and path of the stage: API Gateway reuses a cached answer for
 * any request with the same header value, whichever method it calls.
 */
function policy(effect: 'Allow' | 'Deny', methodArn: string): APIGatewayAuthorizerResult {
  // arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/<METHOD>/<path…>
  const [apiArn, stage] = methodArn.split('/');
  return {
    principalId: 'cloudfront',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: `${apiArn}/${stage}/*` }],
    },
  };
}

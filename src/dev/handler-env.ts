import { FLAG_SOURCE_VARIABLES } from '../runtime/flags/sources.js';
import { S3RVER_CREDENTIALS } from './emulators.js';
import { LOCAL_REGION } from './types.js';

export interface HandlerEndpoints {
  dynamodb: string;
  s3: string;
  /** What a handler's own Kinesis client reaches: the HTTP/2 front of kinesalite. */
  kinesis: string;
  /** The local SQS, SNS, EventBridge, Step Functions and Lambda endpoint. */
  aws: string;
}

/**
 * The environment every handler starts with: the AWS SDK v3's service-specific endpoint
 * variables point each client at the local service, with no change to the project's code.
 */
export function handlerBaseEnv(endpoints: HandlerEndpoints): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_KINESIS: endpoints.kinesis,
    AWS_ENDPOINT_URL_SQS: endpoints.aws,
    AWS_ENDPOINT_URL_SNS: endpoints.aws,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.aws,
    AWS_ENDPOINT_URL_SFN: endpoints.aws,
    AWS_ENDPOINT_URL_LAMBDA: endpoints.aws,
    // s3rver stores aws-chunked framing literally and refuses streams of unknown length.
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    // Lambda runs nodejs24.x; the SDK's warning about this machine's Node is not about the deployed code.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // No X-Ray daemon locally: Powertools' tracer would only log that segments went nowhere.
    POWERTOOLS_TRACE_ENABLED: 'false',
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
  };
}

const STORE_VARIABLES: readonly string[] = [FLAG_SOURCE_VARIABLES.application, FLAG_SOURCE_VARIABLES.environment, FLAG_SOURCE_VARIABLES.profile, FLAG_SOURCE_VARIABLES.document];

/**
 * A function that reads flags (its stack set the AppConfig or SPROUT_FLAGS variables) reads the
 * local store's file instead, so `sprout flags set` in another terminal reaches it within a second.
 * A function that reads no flags is left as it is.
 */
export function withLocalFlags(environment: Record<string, string>, flagsFile: string): Record<string, string> {
  if (!STORE_VARIABLES.some((name) => name in environment)) return environment;
  const local = Object.fromEntries(Object.entries(environment).filter(([name]) => !STORE_VARIABLES.includes(name)));
  return { ...local, [FLAG_SOURCE_VARIABLES.file]: flagsFile };
}

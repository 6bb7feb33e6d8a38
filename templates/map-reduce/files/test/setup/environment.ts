import { initialFlags } from '../../src/lib/flags.js';
import { encodeEnv } from '../../src/sprout/flags/codec.js';

// What the stack sets on the functions, so the handlers run here as they do in Lambda, with S3
// credentials s3rver accepts. Each test file that runs a handler starts s3rver and sets
// AWS_ENDPOINT_URL_S3 before importing it (test/helpers/s3rver.ts). No AppConfig in tests: the
// flag provider reads SPROUT_FLAGS (the lambda-env store), set to the flags as the stack first
// writes them (exclude-stop-words off); test/flags.test.ts changes them.
for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'SPROUT_FLAGS_APPLICATION', 'SPROUT_FLAGS_ENVIRONMENT', 'SPROUT_FLAGS_PROFILE']) {
  delete process.env[name];
}
Object.assign(process.env, {
  INPUT_BUCKET: 'corpus-input',
  INPUT_PREFIX: 'input/',
  RESULTS_BUCKET: 'corpus-results',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  // s3rver stores aws-chunked framing literally; plain bodies need checksums only when required.
  AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
  AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  POWERTOOLS_SERVICE_NAME: 'map-reduce-test',
  POWERTOOLS_METRICS_NAMESPACE: 'map-reduce-test',
  // Quiet test output: no log lines, no EMF metric documents on stdout.
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_TRACE_ENABLED: 'false',
  SPROUT_FLAGS: encodeEnv(initialFlags),
});

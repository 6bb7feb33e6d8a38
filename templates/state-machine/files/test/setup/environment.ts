import { initialFlags } from '../../src/lib/flags.js';
import { encodeEnv } from '../../src/sprout/flags/codec.js';

// What the stack sets on every task function, so the handlers run here as they do in Lambda.
// No AppConfig in tests: the flag provider reads SPROUT_FLAGS (the lambda-env store), set to the
// flags as the stack first writes them (volume-discount off); test/flags.test.ts changes them.
for (const name of ['SPROUT_FLAGS_APPLICATION', 'SPROUT_FLAGS_ENVIRONMENT', 'SPROUT_FLAGS_PROFILE']) delete process.env[name];
Object.assign(process.env, {
  POWERTOOLS_SERVICE_NAME: 'order-workflow-test',
  POWERTOOLS_METRICS_NAMESPACE: 'order-workflow-test',
  // Quiet test output: no log lines, no EMF metric documents on stdout.
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  SPROUT_FLAGS: encodeEnv(initialFlags),
});

import { initialFlags } from '../../src/lib/flags.js';
import { encodeSources, type Source, SOURCES_VARIABLE } from '../../src/lib/sources.js';
import { encodeEnv } from '../../src/sprout/flags/codec.js';
import type { FlagDocument } from '../../src/sprout/flags/model.js';

/**
 * The environment the handlers read at load time, as the stack sets it, minus AWS: Powertools
 * quiet, metrics off, and the flags from SPROUT_FLAGS (the lambda-env store's format) instead of
 * AppConfig. Call it before importing a handler.
 */
export function useTestEnvironment(options: { flags?: FlagDocument; sources?: Source[]; ownApiBaseUrl?: string } = {}): void {
  for (const name of ['SPROUT_FLAGS_APPLICATION', 'SPROUT_FLAGS_ENVIRONMENT', 'SPROUT_FLAGS_PROFILE', 'AWS_EXECUTION_ENV', SOURCES_VARIABLE, 'SELF_BASE_URL']) {
    delete process.env[name];
  }
  Object.assign(process.env, {
    POWERTOOLS_SERVICE_NAME: 'aggregator-test',
    POWERTOOLS_METRICS_NAMESPACE: 'aggregator-test',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    SPROUT_FLAGS: encodeEnv(options.flags ?? initialFlags),
    ...(options.sources ? { [SOURCES_VARIABLE]: encodeSources(options.sources) } : {}),
    ...(options.ownApiBaseUrl ? { SELF_BASE_URL: options.ownApiBaseUrl } : {}),
  });
}

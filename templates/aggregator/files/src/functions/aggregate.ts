import { aggregateHandler } from '../lib/aggregator.js';
import { decodeSources, SOURCES_VARIABLE } from '../lib/sources.js';

// The sources come from sprout.json's `sources`, validated by infra/config.ts and passed by the
// stack as JSON in SOURCES. Read once, at cold start: a broken variable fails loudly here.
const ownApiBaseUrl = process.env.SELF_BASE_URL;

/** GET /aggregate: see src/lib/aggregator.ts. */
export const handler = aggregateHandler({
  sources: decodeSources(process.env[SOURCES_VARIABLE], ownApiBaseUrl),
  ...(ownApiBaseUrl ? { ownApiBaseUrl } : {}),
});

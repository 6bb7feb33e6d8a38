// Kept apart from schema.ts so that reading the catalog does not load zod.

/** The catalog ids are fixed by DESIGN.md; order is the order `patterns list` shows. */
export const PATTERN_IDS = [
  'backend-api',
  'microservices',
  'strangler',
  'aggregator',
  'circuit-breaker',
  'spa',
  'regional-api',
  'proxied-frontend',
  'secured-spa',
  'storage-first',
  'pubsub-fanout',
  'pubsub-streams',
  'event-driven',
  'execution-models',
  'state-machine',
  'saga',
  'map-reduce',
  'realtime-analytics',
  'data-lake',
] as const;

export type PatternId = (typeof PATTERN_IDS)[number];

/** A closed vocabulary keeps `--tag` filtering useful: a typo in a template.json fails the schema test. */
export const TAGS = [
  'api',
  'web',
  'edge',
  'auth',
  'async',
  'messaging',
  'streaming',
  'workflow',
  'data',
  'analytics',
  'iot',
  'resilience',
  'migration',
  'multi-account',
  'storage',
  'crud',
] as const;

export const LEVELS = ['beginner', 'intermediate', 'advanced'] as const;

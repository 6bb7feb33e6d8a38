// Kept apart from schema.ts so that writing a sprout.json does not load zod.

/** Where editors fetch the JSON Schema that a sprout.json's `$schema` points to. */
export const PROJECT_SCHEMA_URL = 'https://unpkg.com/create-sprout/schemas/sprout.schema.json';

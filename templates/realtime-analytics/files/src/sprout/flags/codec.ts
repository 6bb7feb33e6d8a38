// Copied from sprout's src/runtime/flags by `npm run sync:runtime`: edit it there, not in a project.

/**
 * The stores' wire formats, shared by the CLI (which writes them) and the OpenFeature provider
 * (which reads them in a Lambda function). No dependency.
 *
 * lambda-env: the whole FlagDocument as compact JSON in one environment variable, SPROUT_FLAGS.
 *
 * AppConfig (`AWS.AppConfig.FeatureFlags` profile): AppConfig's own attribute types (a string of
 * at most 1024 characters, a number, a boolean, a list of strings or of numbers) cannot hold our
 * variants, rules, split and targets, so each flag carries its full spec as JSON, cut into chunks of
 * at most 1000 characters, in one list-of-strings attribute, `spec`. `enabled` stays AppConfig's own
 * `enabled`, so the AppConfig console shows the flag on or off, and switching it there works:
 *
 *   hosted (CreateHostedConfigurationVersion / GetHostedConfigurationVersion):
 *   { "version": "1",
 *     "flags":  { "new-checkout": { "name": "new-checkout", "description": "…",
 *                 "_deprecation": { "status": "planned" },          ← only when deprecated
 *                 "attributes": { "spec": { "description": "…", "constraints":
 *                   { "type": "array", "required": true, "elements": { "type": "string" } } } } } },
 *     "values": { "new-checkout": { "enabled": true, "spec": ["{\"type\":\"boolean\",…", "…}"] } } }
 *
 *   retrieval-time (AppConfigData GetLatestConfiguration, what a function reads):
 *   { "new-checkout": { "enabled": true, "spec": ["{\"type\":\"boolean\",…", "…}"] } }
 *
 * The spec is the Flag without `enabled`. The retrieval-time form is AWS's: "When your application
 * calls GetLatestConfiguration … the information that defines your feature flags and attributes is
 * removed. The simplified JSON contains a map of keys that match each of the flag keys … mapped
 * values of true or false for the enabled attribute. If a flag sets enabled to true, any attributes
 * of the flag will be present as well." (AppConfig user guide, "Understanding the type reference
 * for AWS.AppConfig.FeatureFlags", the paragraph after the schema; the agent's local-development
 * samples show a disabled flag as `"emergency_shutoff_switch": { "enabled": false }`).
 *
 * So a DISABLED flag reaches a function without its spec: readAppConfigFlags lists it in
 * `switchedOff`, and the provider serves the caller's default with reason DISABLED (the flag's off
 * variant is unknown there).
 *
 * A flag without a spec (made or edited in the AppConfig console, or switched off as above) decodes
 * as just `{ enabled }`: an incomplete flag that validateDocument reports and the evaluator answers
 * with PARSE_ERROR. Guessing more (say, a plain boolean) would let the CLI write back a flag that
 * silently lost whatever attributes the console gave it.
 */

import { APPCONFIG_LIMITS, checkFeatureFlagsContent } from './appconfig-schema.js';
import { type Flag, type FlagDocument, isObject } from './model.js';

/** The environment variable that holds the lambda-env store's document. */
export const SPROUT_FLAGS_VARIABLE = 'SPROUT_FLAGS';

/** The AppConfig attribute that carries a flag's spec. */
export const SPEC_ATTRIBUTE = 'spec';
/** Each chunk stays under AppConfig's 1024-character limit for a string in a list. */
export const SPEC_CHUNK_LENGTH = 1000;

/** Content that is not what a store should hold. */
export class FlagCodecError extends Error {
  override name = 'FlagCodecError';
}

// ── lambda-env ────────────────────────────────────────────────────────────────────────────────

export function encodeEnv(document: FlagDocument): string {
  return JSON.stringify(document);
}

/** The document in SPROUT_FLAGS. Checks that it is JSON and an object; validateDocument checks the rest. */
export function decodeEnv(text: string): FlagDocument {
  const parsed = parseJson(text, SPROUT_FLAGS_VARIABLE);
  if (!isObject(parsed)) throw new FlagCodecError(`${SPROUT_FLAGS_VARIABLE} must hold a JSON object ({ "version": 1, "flags": { … } })`);
  return parsed as unknown as FlagDocument;
}

// ── AppConfig ─────────────────────────────────────────────────────────────────────────────────

type Spec = Omit<Flag, 'enabled'>;

/** The hosted configuration content for a document; throws FlagCodecError when AppConfig would refuse it. */
export function encodeAppConfig(document: FlagDocument): string {
  const flags: Record<string, unknown> = {};
  const values: Record<string, unknown> = {};
  for (const [key, flag] of Object.entries(document.flags)) {
    const { enabled, ...spec } = flag;
    flags[key] = {
      name: key,
      ...(flag.description ? { description: truncate(flag.description, APPCONFIG_LIMITS.descriptionLength) } : {}),
      ...(flag.deprecated ? { _deprecation: { status: 'planned' } } : {}),
      attributes: {
        [SPEC_ATTRIBUTE]: {
          description: 'Managed by sprout (sprout flags …): the flag’s variants, targeting, rules and split, as JSON in pieces. Do not edit.',
          constraints: { type: 'array', required: true, elements: { type: 'string' } },
        },
      },
    };
    values[key] = { enabled, [SPEC_ATTRIBUTE]: chunk(JSON.stringify(spec)) };
  }
  const content = JSON.stringify({ version: '1', flags, values });
  const problems = checkFeatureFlagsContent(content);
  if (problems.length > 0) throw new FlagCodecError(`AppConfig would refuse these flags:\n  ${problems.join('\n  ')}`);
  return content;
}

export interface AppConfigFlags {
  document: FlagDocument;
  /** Flags that arrived as a bare `{ "enabled": false }` (retrieval-time form): off, spec unknown. */
  switchedOff: string[];
}

/** The document in AppConfig content: hosted or retrieval-time form, as text, bytes or parsed JSON. */
export function decodeAppConfig(content: string | Uint8Array | object): FlagDocument {
  return readAppConfigFlags(content).document;
}

/** decodeAppConfig, also saying which flags were delivered switched off without their spec. */
export function readAppConfigFlags(content: string | Uint8Array | object): AppConfigFlags {
  const parsed = typeof content === 'string' || content instanceof Uint8Array ? parseJson(content, 'the AppConfig content') : content;
  if (!isObject(parsed)) throw new FlagCodecError('AppConfig feature flag content must be a JSON object');
  // The hosted form has "version": "1"; in the retrieval-time form every property is a flag, and a
  // flag named "version" would hold an object, never a string.
  const hosted = typeof parsed.version === 'string';
  if (hosted && parsed.version !== '1') throw new FlagCodecError(`AppConfig feature flag content version ${parsed.version} is not supported (only "1")`);
  const values = hosted ? (parsed.values ?? {}) : parsed;
  if (!isObject(values)) throw new FlagCodecError('the AppConfig content has no values object');
  const keys = hosted ? Object.keys(isObject(parsed.flags) ? parsed.flags : {}) : Object.keys(values);

  const document: FlagDocument = { version: 1, flags: {} };
  const switchedOff: string[] = [];
  for (const key of keys) {
    // A hosted flag with no value yet is off.
    const value = hosted && values[key] === undefined ? { enabled: false } : values[key];
    if (!isObject(value) || typeof value.enabled !== 'boolean') throw new FlagCodecError(`AppConfig flag "${key}" has no enabled value`);
    const { enabled, [SPEC_ATTRIBUTE]: spec } = value;
    if (spec === undefined) {
      document.flags[key] = { enabled } as Flag; // incomplete on purpose: see the top of this file
      if (!hosted && !enabled) switchedOff.push(key);
      continue;
    }
    document.flags[key] = { enabled, ...parseSpec(key, spec) } as Flag;
  }
  return { document, switchedOff };
}

function parseSpec(key: string, chunks: unknown): Spec {
  if (!Array.isArray(chunks) || !chunks.every((piece) => typeof piece === 'string')) {
    throw new FlagCodecError(`AppConfig flag "${key}": its ${SPEC_ATTRIBUTE} attribute must be a list of strings`);
  }
  const spec = parseJson(chunks.join(''), `the ${SPEC_ATTRIBUTE} of AppConfig flag "${key}"`);
  if (!isObject(spec)) throw new FlagCodecError(`AppConfig flag "${key}": its ${SPEC_ATTRIBUTE} must be a JSON object`);
  delete spec.enabled; // AppConfig's enabled is the truth: it is what the console switches.
  return spec as unknown as Spec;
}

/** Cuts text into pieces of at most SPEC_CHUNK_LENGTH UTF-16 units, never inside a surrogate pair. */
export function chunk(text: string, size = SPEC_CHUNK_LENGTH): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + size, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && end - 1 > start && last >= 0xd800 && last <= 0xdbff) end -= 1;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

function truncate(text: string, max: number): string {
  const characters = [...text];
  return characters.length <= max ? text : `${characters.slice(0, max - 1).join('')}…`;
}

function parseJson(content: string | Uint8Array, what: string): unknown {
  const text = typeof content === 'string' ? content : new TextDecoder().decode(content);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FlagCodecError(`${what} is not JSON: ${(error as Error).message}`);
  }
}

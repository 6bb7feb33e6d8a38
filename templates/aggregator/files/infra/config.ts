import { encodeSources, isOwnApiPath, PARAMETER_NAME, placeholdersOf, SOURCE_NAME, SOURCES_VARIABLE, type Source } from '../src/lib/sources.js';
import type { SproutDeployment } from './sprout/deployment.js';
import { toResourceName } from './sprout/context-values.js';
import { fail, loadProjectConfig, type OptionReader, type ProjectConfig, resolveProjectConfig, type SproutFile } from './sprout/project-config.js';

export { toResourceName };

export interface Options {
  /** Timeout of a source that sets no `timeoutMs`. */
  defaultTimeoutMs: number;
  /** Whether a source that sets no `required` is required. */
  sourcesRequiredByDefault: boolean;
  /** The aggregator Lambda's timeout; every source timeout must end well before it. */
  functionTimeoutSeconds: number;
  /** Whether the stack deploys the demo downstream services, GET /demo/{name}. */
  demoSources: boolean;
  /** sprout.json's top-level `sources`, validated, with the defaults applied, in file order. */
  sources: Source[];
}

export type Config = ProjectConfig<Options>;

/** What a source timeout must leave of the function timeout, for merging and answering. */
export const FUNCTION_TIMEOUT_MARGIN_MS = 500;

/**
 * Lambda allows 4 KB for all of a function's environment variables together (names and values).
 * The aggregator's other variables (Powertools settings, the flag store's ids, SELF_BASE_URL)
 * need well under 512 bytes, so SOURCES may take the rest.
 */
export const SOURCES_ENVIRONMENT_BUDGET = 4096 - 512;

const SOURCE_FIELDS = ['url', 'timeoutMs', 'required'];
const DEMO_PATH = /^\/demo\//;

const sproutJsonUrl = new URL('../sprout.json', import.meta.url);

/**
 * Reads sprout.json next to this project's package.json. `stage` comes from `-c stage=…`;
 * `deployment` is the `sprout:deployment` context that `sprout deploy` passes (see
 * infra/sprout/deployment.ts), and wins over both.
 */
export function loadConfig(stage?: string, deployment?: SproutDeployment): Config {
  return loadProjectConfig(sproutJsonUrl, parseOptions, stage, deployment);
}

export function resolveConfig(sprout: SproutFile, stage?: string, deployment?: SproutDeployment): Config {
  return resolveProjectConfig(sprout, parseOptions, stage, deployment);
}

/** The template options from `options`, and the source list from the top-level `sources`. */
export function parseOptions(options: OptionReader, sprout: SproutFile): Options {
  const defaults = {
    defaultTimeoutMs: options.integer('defaultTimeoutMs', 100, 28_000),
    sourcesRequiredByDefault: options.boolean('sourcesRequiredByDefault'),
    functionTimeoutSeconds: options.integer('functionTimeoutSeconds', 1, 29),
    demoSources: options.boolean('demoSources'),
  };
  return { ...defaults, sources: parseSources(sprout.sources, defaults) };
}

/**
 * `"sources": { "<name>": { "url": "https://…", "timeoutMs": 2000, "required": true }, … }`.
 * Every error names the source and the field, and says what is expected.
 */
export function parseSources(value: unknown, defaults: Omit<Options, 'sources'>): Source[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0) {
    fail(`"sources" must be an object with at least one source, such as { "profile": { "url": "https://profile.example.com/customers/{customerId}" } } (got ${JSON.stringify(value)})`);
  }
  const maxTimeoutMs = defaults.functionTimeoutSeconds * 1000 - FUNCTION_TIMEOUT_MARGIN_MS;
  const sources = Object.entries(value as Record<string, unknown>).map(([name, entry]): Source => {
    const at = `sources.${name}`;
    if (!SOURCE_NAME.test(name)) fail(`source name "${name}" must start with a letter and use only letters, digits, - and _ (at most 64)`);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail(`${at} must be an object with "url" and optionally "timeoutMs" and "required" (got ${JSON.stringify(entry)})`);
    const fields = entry as Record<string, unknown>;
    const unknown = Object.keys(fields).filter((field) => !SOURCE_FIELDS.includes(field));
    if (unknown.length > 0) fail(`${at} has unknown field(s) ${unknown.map((f) => `"${f}"`).join(', ')} (expected ${SOURCE_FIELDS.join(', ')})`);

    const url = parseUrl(fields.url, at, defaults.demoSources);
    const timeoutMs = fields.timeoutMs ?? defaults.defaultTimeoutMs;
    const timeoutFrom = fields.timeoutMs === undefined ? ' (options.defaultTimeoutMs, since the source sets no timeoutMs)' : '';
    if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > maxTimeoutMs) {
      fail(
        `${at}.timeoutMs must be an integer from 1 to ${maxTimeoutMs} (got ${JSON.stringify(timeoutMs)}${timeoutFrom}): a source timeout must end at least ` +
          `${FUNCTION_TIMEOUT_MARGIN_MS} ms before the function timeout (options.functionTimeoutSeconds = ${defaults.functionTimeoutSeconds}), or the function would be killed mid-merge`,
      );
    }
    const required = fields.required ?? defaults.sourcesRequiredByDefault;
    if (typeof required !== 'boolean') fail(`${at}.required must be true or false (got ${JSON.stringify(required)})`);
    return { name, url, timeoutMs, required };
  });

  const bytes = Buffer.byteLength(SOURCES_VARIABLE) + Buffer.byteLength(encodeSources(sources));
  if (bytes > SOURCES_ENVIRONMENT_BUDGET) {
    fail(
      `"sources" take ${bytes} bytes as the function's ${SOURCES_VARIABLE} environment variable, more than the ${SOURCES_ENVIRONMENT_BUDGET} it can have: ` +
        'Lambda allows 4 KB for all environment variables together. Use fewer or shorter names and URLs, or move the list to SSM Parameter Store or AppConfig',
    );
  }
  return sources;
}

function parseUrl(value: unknown, at: string, demoSources: boolean): string {
  const expected = 'an https:// URL, or a path on this API starting with / (such as /demo/profile)';
  if (typeof value !== 'string' || value === '') fail(`${at}.url must be ${expected} (got ${JSON.stringify(value)})`);
  if (/[{}]/.test(value.replace(/\{[^{}]*\}/g, ''))) fail(`${at}.url has an unbalanced { or } (got "${value}")`);
  for (const name of placeholdersOf(value)) {
    if (!PARAMETER_NAME.test(name)) fail(`${at}.url has the placeholder {${name}}; a placeholder names a query parameter: a letter, then letters, digits and _`);
  }
  // What the URL looks like once its placeholders are filled in.
  const probe = value.replace(/\{[^{}]*\}/g, 'x');
  if (isOwnApiPath(value)) {
    if (value.startsWith('//')) fail(`${at}.url must be ${expected} (got "${value}")`);
    if (DEMO_PATH.test(value) && !demoSources) fail(`${at}.url is a demo source (${value}), but options.demoSources is false, so /demo/ does not exist`);
    return value;
  }
  let url: URL;
  try {
    url = new URL(probe);
  } catch {
    fail(`${at}.url must be ${expected} (got "${value}")`);
  }
  if (url.protocol !== 'https:') fail(`${at}.url must use https (got "${value}")`);
  if (url.username || url.password) fail(`${at}.url must not hold credentials: environment variables are visible to anyone who can read the function's configuration`);
  const host = value.slice('https://'.length).split(/[/?#]/)[0] ?? '';
  if (host.includes('{')) fail(`${at}.url has a placeholder in its host name; placeholders may only be used in the path and query`);
  return value;
}

/**
 * The downstream services the aggregator calls: the model shared by the CDK app (which reads and
 * validates them from sprout.json, infra/config.ts) and the function (which receives them in the
 * SOURCES environment variable). Plain TypeScript, no AWS dependency.
 */

/** One downstream service, with every default already applied. */
export interface Source {
  /** The key of this source's answer in `data` and of its status in `sources`. */
  name: string;
  /**
   * An https URL, or a path starting with `/` on this project's own API (the demo sources).
   * `{name}` placeholders take the value of the query parameter `name` of the incoming request.
   */
  url: string;
  /** The call is abandoned, and reported as "timeout", after this many milliseconds. */
  timeoutMs: number;
  /** A required source that fails fails the whole request; an optional one leaves a partial result. */
  required: boolean;
}

/** The environment variable that carries the sources to the function, as JSON. */
export const SOURCES_VARIABLE = 'SOURCES';

/** Source names: used as JSON keys, metric dimensions and Server-Timing metric names. */
export const SOURCE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/** Query parameter names a URL may use as `{placeholder}`. */
export const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const PLACEHOLDER = /\{([^{}]*)\}/g;

/** The query parameters a URL template uses, in order of first appearance, without duplicates. */
export function placeholdersOf(url: string): string[] {
  return [...new Set([...url.matchAll(PLACEHOLDER)].map((match) => match[1] as string))];
}

/** Whether the URL is a path on this project's own API rather than an absolute URL. */
export function isOwnApiPath(url: string): boolean {
  return url.startsWith('/');
}

/**
 * The SOURCES variable: `{"<name>":{"url":…,"timeoutMs":…,"required":…},…}`, compact, because
 * Lambda allows 4 KB for all of a function's environment variables together.
 */
export function encodeSources(sources: readonly Source[]): string {
  return JSON.stringify(Object.fromEntries(sources.map(({ name, url, timeoutMs, required }) => [name, { url, timeoutMs, required }])));
}

/**
 * Reads the SOURCES variable back. The stack only writes what infra/config.ts validated, so a
 * failure here means the variable was edited by hand: the function fails at cold start, loudly,
 * rather than answering every request with a wrong merge.
 */
export function decodeSources(text: string | undefined, ownApiBaseUrl?: string): Source[] {
  if (!text) throw new Error(`The ${SOURCES_VARIABLE} environment variable is not set`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${SOURCES_VARIABLE} is not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${SOURCES_VARIABLE} must be a JSON object`);
  const sources = Object.entries(value as Record<string, Record<string, unknown> | null>).map(([name, entry]): Source => {
    const { url, timeoutMs, required } = entry ?? {};
    if (!SOURCE_NAME.test(name)) throw new Error(`${SOURCES_VARIABLE}: "${name}" is not a valid source name`);
    if (typeof url !== 'string' || url === '') throw new Error(`${SOURCES_VARIABLE}: ${name}.url must be a string`);
    if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1) {
      throw new Error(`${SOURCES_VARIABLE}: ${name}.timeoutMs must be a positive integer`);
    }
    if (typeof required !== 'boolean') throw new Error(`${SOURCES_VARIABLE}: ${name}.required must be true or false`);
    if (isOwnApiPath(url) && !ownApiBaseUrl) throw new Error(`${SOURCES_VARIABLE}: ${name}.url is a path on this API, but SELF_BASE_URL is not set`);
    return { name, url, timeoutMs, required };
  });
  if (sources.length === 0) throw new Error(`${SOURCES_VARIABLE} names no source`);
  return sources;
}

/** A query parameter that a source's URL needs and the request did not send: the client's mistake (400). */
export class MissingParameterError extends Error {
  constructor(
    readonly parameter: string,
    readonly sources: string[],
  ) {
    super(`The query parameter "${parameter}" is required (used by ${sources.map((s) => `"${s}"`).join(', ')})`);
    this.name = 'MissingParameterError';
  }
}

/**
 * The URL to call for one request: placeholders replaced by the URL-encoded query parameters, and a
 * path on this API prefixed with its base URL (`https://<id>.execute-api.<region>.amazonaws.com/<stage>`).
 */
export function resolveUrl(source: Source, parameters: Record<string, string | undefined>, ownApiBaseUrl?: string): string {
  const url = source.url.replace(PLACEHOLDER, (_, name: string) => {
    const value = parameters[name];
    if (value === undefined || value === '') throw new MissingParameterError(name, [source.name]);
    return encodeURIComponent(value);
  });
  return isOwnApiPath(url) ? `${(ownApiBaseUrl ?? '').replace(/\/+$/, '')}${url}` : url;
}

/** Every query parameter the sources need that the request lacks, each with the sources that need it. */
export function missingParameters(sources: readonly Source[], parameters: Record<string, string | undefined>): MissingParameterError[] {
  const missing = new Map<string, string[]>();
  for (const source of sources) {
    for (const name of placeholdersOf(source.url)) {
      if (parameters[name] === undefined || parameters[name] === '') missing.set(name, [...(missing.get(name) ?? []), source.name]);
    }
  }
  return [...missing].map(([name, names]) => new MissingParameterError(name, names));
}

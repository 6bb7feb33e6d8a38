import { missingParameters, resolveUrl, type Source } from './sources.js';

/**
 * What happened to one source in one request:
 * - ok: a 2xx answer with a JSON body (or 204, read as null);
 * - error: a non-2xx status, a body that is not JSON or too large, or no connection at all;
 * - timeout: no complete answer within the source's timeoutMs;
 * - skipped: an optional source not called, because the skip-optional-sources flag is on for it;
 * - cancelled: abandoned because a required source had already failed, so the request had failed.
 */
export type SourceStatus = 'ok' | 'error' | 'timeout' | 'skipped' | 'cancelled';

export interface SourceReport {
  status: SourceStatus;
  required: boolean;
  /** How long the call took, until its outcome was known (0 when skipped). */
  ms: number;
  /** The downstream HTTP status, when an answer arrived. */
  httpStatus?: number;
  /** Why it is not ok, safe to show to the client (no host names or addresses: those are in the logs). */
  error?: string;
}

export interface FanOutResult {
  /** The parsed body of every source that answered ok, by source name. */
  data: Record<string, unknown>;
  /** One report per configured source, in configuration order. */
  sources: Record<string, SourceReport>;
  /** The first required source that did not answer ok: the request has failed because of it. */
  failedRequired?: string;
  /** For the logs: what each failure really was (address, system error code), by source name. */
  details: Record<string, string>;
  /** Wall-clock duration of the whole fan-out. */
  ms: number;
}

export interface FanOutOptions {
  /** The incoming query parameters, which fill the sources' `{placeholders}`. */
  parameters: Record<string, string | undefined>;
  /** Base URL for sources given as a path on this API (SELF_BASE_URL). */
  ownApiBaseUrl?: string;
  /** Sent with every downstream call (request id, user agent). */
  headers?: Record<string, string>;
  /** Optional sources not to call this time (the skip-optional-sources flag). */
  skip?: ReadonlySet<string>;
  /** A larger answer is an error; the whole response must stay under Lambda's 6 MB. */
  maxBodyBytes?: number;
  /** Called as each call starts (tracing): headers to add to it, and a callback for its outcome. */
  onCall?: (source: Source, url: string) => CallTrace | undefined;
}

/** What a tracer adds to one call. */
export interface CallTrace {
  headers: Record<string, string>;
  end(report: SourceReport): void;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** A failure whose message is fit for the client. */
class SourceFailure extends Error {}

/** Why a call was cancelled: a required source failed first. */
class Cancelled extends Error {
  constructor(readonly source: string) {
    super(`cancelled: the required source "${source}" failed`);
  }
}

interface Outcome {
  report: SourceReport;
  body?: unknown;
  detail?: string;
}

/**
 * Calls every source at once and waits for all of them, so the fan-out takes as long as the
 * slowest call, not the sum. Each call has its own timeout (AbortSignal.timeout covers connecting,
 * the headers and the whole body). When a required source fails, the request has failed: the calls
 * still running are cancelled at once instead of being waited for.
 *
 * Throws MissingParameterError, before calling anything, when a source's URL needs a query parameter
 * the request lacks.
 */
export async function fanOut(sources: readonly Source[], options: FanOutOptions): Promise<FanOutResult> {
  const [missing] = missingParameters(sources, options.parameters);
  if (missing) throw missing;
  const started = performance.now();
  const cancel = new AbortController();
  let failedRequired: string | undefined;

  const outcomes = await Promise.all(
    sources.map(async (source): Promise<Outcome> => {
      if (!source.required && options.skip?.has(source.name)) {
        return { report: { status: 'skipped', required: false, ms: 0, error: 'skipped: the skip-optional-sources flag is on' } };
      }
      const outcome = await call(source, resolveUrl(source, options.parameters, options.ownApiBaseUrl), cancel.signal, options);
      if (source.required && outcome.report.status !== 'ok' && outcome.report.status !== 'cancelled' && failedRequired === undefined) {
        failedRequired = source.name;
        cancel.abort(new Cancelled(source.name));
      }
      return outcome;
    }),
  );

  const result: FanOutResult = { data: {}, sources: {}, details: {}, ms: Math.round(performance.now() - started) };
  sources.forEach((source, index) => {
    const { report, body, detail } = outcomes[index] as Outcome;
    result.sources[source.name] = report;
    if (report.status === 'ok') result.data[source.name] = body;
    if (detail) result.details[source.name] = detail;
  });
  if (failedRequired !== undefined) result.failedRequired = failedRequired;
  return result;
}

async function call(source: Source, url: string, cancel: AbortSignal, options: FanOutOptions): Promise<Outcome> {
  const trace = options.onCall?.(source, url);
  const outcome = await attempt(source, url, cancel, { ...options, headers: { ...options.headers, ...trace?.headers } });
  trace?.end(outcome.report);
  return outcome;
}

async function attempt(source: Source, url: string, cancel: AbortSignal, options: FanOutOptions): Promise<Outcome> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(source.timeoutMs);
  const signal = AbortSignal.any([timeout, cancel]);
  let httpStatus: number | undefined;
  const report = (status: SourceStatus, error?: string): SourceReport => ({
    status,
    required: source.required,
    ms: Math.round(performance.now() - started),
    ...(httpStatus === undefined ? {} : { httpStatus }),
    ...(error === undefined ? {} : { error }),
  });

  try {
    const response = await fetch(url, { headers: { accept: 'application/json', ...options.headers }, signal });
    httpStatus = response.status;
    if (!response.ok) {
      // Free the connection without reading an error page nobody will show.
      await response.body?.cancel().catch(() => undefined);
      return { report: report('error', `HTTP ${response.status}`) };
    }
    if (response.status === 204) {
      await response.body?.cancel().catch(() => undefined);
      return { report: report('ok'), body: null };
    }
    const text = await readText(response, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    if (text === '') return { report: report('error', 'the answer is empty') };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { report: report('error', 'the answer is not valid JSON'), detail: `content-type ${response.headers.get('content-type')}, starts with ${JSON.stringify(text.slice(0, 80))}` };
    }
    return { report: report('ok'), body };
  } catch (error) {
    // Checked in this order: a timeout that fired is a timeout even if a cancellation followed.
    if (timeout.aborted) return { report: report('timeout', `no complete answer within ${source.timeoutMs} ms`) };
    if (cancel.aborted) return { report: report('cancelled', (cancel.reason as Error).message) };
    if (error instanceof SourceFailure) return { report: report('error', error.message) };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return {
      report: report('error', cause?.code ? `connection failed (${cause.code})` : 'the call failed'),
      detail: `${(error as Error).message}${cause?.message ? `: ${cause.message}` : ''}`,
    };
  }
}

/** The body as text, refusing more than `maxBytes` (checked while reading, not after). */
async function readText(response: Response, maxBytes: number): Promise<string> {
  const tooLarge = () => new SourceFailure(`the answer is larger than ${maxBytes} bytes`);
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The answer to the client: 200 with every answer (partial when an optional one is missing), or 502/504 naming the required source. */
export function toResponseBody(result: FanOutResult): { statusCode: number; body: unknown } {
  const { failedRequired } = result;
  if (failedRequired === undefined) {
    const partial = Object.values(result.sources).some((report) => report.status !== 'ok');
    return { statusCode: 200, body: { data: result.data, sources: result.sources, partial } };
  }
  const report = result.sources[failedRequired] as SourceReport;
  const timedOut = report.status === 'timeout';
  return {
    statusCode: timedOut ? 504 : 502,
    body: {
      error: {
        code: timedOut ? 'REQUIRED_SOURCE_TIMEOUT' : 'REQUIRED_SOURCE_FAILED',
        message: timedOut
          ? `The required source "${failedRequired}" did not answer within its timeout (${report.error})`
          : `The required source "${failedRequired}" failed: ${report.error}`,
        source: failedRequired,
      },
      sources: result.sources,
    },
  };
}

/** A Server-Timing header, so browser dev tools show each source's duration next to the request. */
export function serverTiming(result: FanOutResult): string {
  const entries = Object.entries(result.sources)
    .filter(([, report]) => report.status !== 'skipped')
    .map(([name, report]) => `${name};desc="${report.status}";dur=${report.ms}`);
  return [...entries, `total;dur=${result.ms}`].join(', ');
}

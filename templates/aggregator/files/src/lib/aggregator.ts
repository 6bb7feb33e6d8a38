import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { fanOut, type FanOutResult, serverTiming, toResponseBody } from './fan-out.js';
import { sourcesToSkip } from './flag-client.js';
import { type HttpHandler, httpHandler } from './handler.js';
import { HttpError, ValidationError, header, json } from './http.js';
import { logger, metrics } from './powertools.js';
import { MissingParameterError, type Source } from './sources.js';
import { traceSourceCall } from './tracing.js';

export interface AggregatorConfig {
  sources: readonly Source[];
  /** `https://<api id>.execute-api.<region>.amazonaws.com/<stage>`, for sources given as a path on this API. */
  ownApiBaseUrl?: string;
  /** Sent as User-Agent, so downstream logs can tell the aggregator's calls apart. */
  userAgent?: string;
  /** Largest accepted answer per source (1 MB by default). */
  maxBodyBytes?: number;
}

/** A synchronous Lambda response is at most 6 MB, JSON envelope included; stop short of it with a clear error. */
export const MAX_RESPONSE_BYTES = 5_500_000;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id sent downstream as X-Request-Id and back to the client: the caller's own
 * X-Request-Id when it sends a sane one (so one id follows the request through every service), else
 * API Gateway's request id (the one in the access logs). Each call also carries its own X-Ray
 * trace header (src/lib/tracing.ts).
 */
export function requestIdOf(event: APIGatewayProxyEvent): string {
  const incoming = header(event, 'x-request-id');
  return incoming && REQUEST_ID.test(incoming) ? incoming : event.requestContext.requestId;
}

/**
 * GET /aggregate: one request in, every configured source called in parallel, one merged answer
 * out. 200 `{ data, sources, partial }` when every required source answered; 502 (a required source
 * failed) or 504 (it timed out) with the per-source status otherwise; 400 when a query parameter a
 * source URL needs is missing.
 */
export function aggregateHandler(config: AggregatorConfig): HttpHandler {
  return httpHandler('aggregate', async (event) => {
    const requestId = requestIdOf(event);
    logger.appendKeys({ requestId });
    const skip = await sourcesToSkip(event, config.sources);
    let result: FanOutResult;
    try {
      result = await fanOut(config.sources, {
        parameters: event.queryStringParameters ?? {},
        ...(config.ownApiBaseUrl ? { ownApiBaseUrl: config.ownApiBaseUrl } : {}),
        headers: { 'x-request-id': requestId, 'user-agent': config.userAgent ?? `${process.env.POWERTOOLS_SERVICE_NAME ?? 'sprout'}-aggregator` },
        skip,
        onCall: traceSourceCall,
        ...(config.maxBodyBytes ? { maxBodyBytes: config.maxBodyBytes } : {}),
      });
    } catch (error) {
      if (error instanceof MissingParameterError) throw new ValidationError(error.message);
      throw error;
    }
    record(result);
    const { statusCode, body } = toResponseBody(result);
    const response = json(statusCode, body, { 'server-timing': serverTiming(result), 'x-request-id': requestId });
    if (Buffer.byteLength(response.body) > MAX_RESPONSE_BYTES) {
      throw new HttpError(502, 'RESPONSE_TOO_LARGE', `The merged answer is larger than ${MAX_RESPONSE_BYTES} bytes, more than a Lambda response can carry`);
    }
    return response;
  });
}

/**
 * One log line per request with every source's outcome, a warning per failed source with what
 * really happened (kept out of the response), and per-source metrics: SourceLatency (ms) and
 * SourceFailure (1 or 0, so its average is the failure rate), by `source`.
 */
function record(result: FanOutResult): void {
  for (const [name, report] of Object.entries(result.sources)) {
    if (report.status === 'skipped') continue;
    if (report.status !== 'ok') logger.warn('Source did not answer ok', { source: name, ...report, detail: result.details[name] });
    perSource(name, 'SourceLatency', MetricUnit.Milliseconds, report.ms);
    perSource(name, 'SourceFailure', MetricUnit.Count, report.status === 'ok' ? 0 : 1);
  }
  if (result.failedRequired) metrics.addMetric('RequiredSourceFailed', MetricUnit.Count, 1);
  logger.info('Aggregated', { ms: result.ms, failedRequired: result.failedRequired, sources: result.sources });
}

/** A metric with the `source` dimension (flushed at once: the request's other metrics have none). */
function perSource(source: string, name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): void {
  const metric = metrics.singleMetric();
  metric.addDimension('source', source);
  metric.addMetric(name, unit, value);
}

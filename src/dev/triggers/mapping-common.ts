/**
 * What SQS and Kinesis event source mappings share: reading an AWS::Lambda::EventSourceMapping,
 * Lambda's event filtering, and ReportBatchItemFailures responses.
 */
import { compilePattern } from '../messaging/pattern.js';
import type { ResolvedResource } from '../types.js';

export interface MappingConfig {
  id: string;
  functionName: string;
  eventSourceArn: string;
  enabled: boolean;
  batchSize?: number;
  batchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  /** Each filter's matcher; a record passes when any matches (or when there is none). */
  filters: Array<(record: unknown) => boolean>;
  properties: Record<string, any>;
}

export function readMapping(resource: ResolvedResource): MappingConfig {
  const p = resource.properties;
  const filters = (p.FilterCriteria?.Filters ?? [])
    .map((filter: { Pattern?: unknown }) => filter.Pattern)
    .filter((pattern: unknown) => pattern !== undefined)
    .map((pattern: unknown) => compilePattern(pattern));
  return {
    id: `${resource.stack}/${resource.logicalId}`,
    functionName: String(p.FunctionName),
    eventSourceArn: String(p.EventSourceArn),
    enabled: p.Enabled === undefined ? true : p.Enabled === true || p.Enabled === 'true',
    ...(p.BatchSize !== undefined ? { batchSize: Number(p.BatchSize) } : {}),
    batchingWindowSeconds: Number(p.MaximumBatchingWindowInSeconds ?? 0),
    reportBatchItemFailures: Array.isArray(p.FunctionResponseTypes) && p.FunctionResponseTypes.includes('ReportBatchItemFailures'),
    filters,
    properties: p,
  };
}

/** Lambda parses a JSON payload (SQS body, Kinesis data) before filtering; anything else is filtered as the plain value. */
export function parsedOrRaw(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function passesFilters(filters: MappingConfig['filters'], record: unknown): boolean {
  return filters.length === 0 || filters.some((matches) => matches(record));
}

/**
 * Reads a ReportBatchItemFailures response. AWS treats an empty/null response or an empty list as
 * full success and any malformed entry (missing, empty or unknown itemIdentifier, a list that is
 * not a list) as a failure of the whole batch.
 */
export function readBatchItemFailures(payload: unknown, knownIds: Set<string>): { ok: true; failed: string[] } | { ok: false; reason: string } {
  if (payload === null || payload === undefined || payload === '') return { ok: true, failed: [] };
  if (typeof payload !== 'object' || Array.isArray(payload)) return { ok: false, reason: 'the response is not a JSON object' };
  const list = (payload as Record<string, unknown>).batchItemFailures;
  if (list === undefined || list === null) return { ok: true, failed: [] };
  if (!Array.isArray(list)) return { ok: false, reason: 'batchItemFailures is not a list' };
  const failed: string[] = [];
  for (const entry of list) {
    const id = entry && typeof entry === 'object' ? (entry as Record<string, unknown>).itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '') return { ok: false, reason: 'a batchItemFailures entry has no itemIdentifier' };
    if (!knownIds.has(id)) return { ok: false, reason: `itemIdentifier ${id} is not in the batch` };
    failed.push(id);
  }
  return { ok: true, failed };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

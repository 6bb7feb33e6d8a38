import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { batchId, type EventRecord, type Rejection, toJsonLine, toRecord } from './events.js';
import { partitionOf, rawKey } from './layout.js';
import { MAX_EVENTS_PER_BATCH } from './settings.js';

/** What a producer sends: `{ "events": [ … ] }`. */
export interface IngestRequest {
  events: unknown[];
}

/** What it gets back: how many events were stored, where, and why the others were not. */
export interface IngestResult {
  accepted: number;
  rejected: Rejection[];
  objects: Array<{ key: string; events: number }>;
}

export class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
}

export interface IngestDependencies {
  s3: S3Client;
  rawBucket: string;
  now?: () => Date;
}

/** The request itself must be a batch; its events are checked one by one. */
export function eventsOf(request: unknown): unknown[] {
  const events = (request as { events?: unknown } | null)?.events;
  if (typeof request !== 'object' || request === null || !Array.isArray(events)) {
    throw new BadRequestError('Expected a JSON object {"events": [ … ]}');
  }
  if (events.length > MAX_EVENTS_PER_BATCH) {
    throw new BadRequestError(`A batch holds at most ${MAX_EVENTS_PER_BATCH} events (got ${events.length}); split it`);
  }
  return events;
}

/**
 * Validates a batch and writes its valid events into the raw zone, one JSON Lines object per
 * event date (UTC), under the partition folder Athena's projection looks in:
 * `events/dt=<yyyy-MM-dd>/<batch id>.jsonl`. The event's own time decides the partition, not the
 * arrival time, so a late or replayed event lands next to the events of its day.
 *
 * An invalid event is refused with every problem it has and the rest of the batch is stored (one
 * bad event does not cost the producer its whole batch); the result lists the refusals by position.
 * An id that appears twice in one batch keeps its first occurrence. A failed write throws: nothing
 * is reported as stored that is not, and the producer's retry of the same events writes the same
 * keys (see batchId), so it does not duplicate the objects that did get written.
 */
export async function ingest(request: unknown, deps: IngestDependencies): Promise<IngestResult> {
  const events = eventsOf(request);
  const receivedAt = new Date(Math.floor((deps.now?.() ?? new Date()).getTime()));
  const rejected: Rejection[] = [];
  const byPartition = new Map<string, EventRecord[]>();
  const seen = new Set<string>();

  events.forEach((event, index) => {
    const result = toRecord(event, receivedAt);
    const id = (event as { id?: unknown } | null)?.id;
    if (Array.isArray(result)) {
      rejected.push({ index, ...(typeof id === 'string' ? { id } : {}), errors: result });
      return;
    }
    if (seen.has(result.event_id)) {
      rejected.push({ index, id: result.event_id, errors: [`id "${result.event_id}" appears earlier in this batch`] });
      return;
    }
    seen.add(result.event_id);
    const dt = partitionOf(result.event_time);
    const partition = byPartition.get(dt);
    if (partition) partition.push(result);
    else byPartition.set(dt, [result]);
  });

  const objects = [...byPartition.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([dt, records]) => ({ key: rawKey(dt, batchId(records)), records }));
  await Promise.all(
    objects.map(({ key, records }) =>
      deps.s3.send(
        new PutObjectCommand({
          Bucket: deps.rawBucket,
          Key: key,
          Body: records.map((r) => `${toJsonLine(r)}\n`).join(''),
          ContentType: 'application/x-ndjson',
        }),
      ),
    ),
  );
  return {
    accepted: objects.reduce((sum, o) => sum + o.records.length, 0),
    rejected,
    objects: objects.map(({ key, records }) => ({ key, events: records.length })),
  };
}

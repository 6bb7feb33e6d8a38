import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { handler as IngestHandler } from '../src/functions/ingest.js';
import type { handler as TransformHandler } from '../src/functions/transform.js';
import { fromJsonLine } from '../src/lib/events.js';
import { curatedKey, parseRawKey } from '../src/lib/layout.js';
import { lambdaContext } from './helpers/events.js';
import { generateEvents, utcDate } from './helpers/generate.js';
import { readParquet } from './helpers/parquet.js';
import { type LocalS3, startS3rver, useEmulatorEnvironment } from './helpers/s3rver.js';
import { glueTable, synthStack, withBucket } from './helpers/stack.js';

// What Athena will read is decided by the Glue tables' partition projection; what is there is
// decided by the functions. This file computes, from the synthesized tables' properties alone, the
// partitions and folders Athena projects (the date type as the Athena documentation describes it:
// every value from the start of the range to its end, one interval apart, formatted with the
// DateTimeFormatter pattern, in UTC, put into storage.location.template), then checks them against
// the objects the real functions wrote into s3rver.

const RAW = 'lake-raw';
const CURATED = 'lake-curated';
const DAY = 86_400_000;

/** The partition values and locations Athena projects for a table, evaluated at `now`. */
function project(parameters: Record<string, unknown>, bucket: string, now: Date): Map<string, string> {
  expect(parameters['projection.enabled']).toBe('true');
  expect(parameters['projection.dt.type']).toBe('date');
  const format = parameters['projection.dt.format'] as string;
  const [start, end] = (parameters['projection.dt.range'] as string).split(',').map((s) => s.trim()) as [string, string];
  const interval = Number(parameters['projection.dt.interval'] ?? 1);
  expect(String(parameters['projection.dt.interval.unit'] ?? 'DAYS').toUpperCase()).toBe('DAYS');

  // The two pattern letters sequences this check understands; any other format fails it loudly.
  if (format !== 'yyyy-MM-dd') throw new Error(`this check knows the pattern yyyy-MM-dd, not ${format}`);
  const parse = (value: string): number => {
    const relative = /^NOW\s*(?:([+-])\s*(\d+)\s*(DAYS?))?$/.exec(value);
    if (relative) {
      const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
      return today + (relative[1] === '-' ? -1 : 1) * Number(relative[2] ?? 0) * DAY;
    }
    const literal = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!literal) throw new Error(`${value} does not match ${format}`);
    return Date.UTC(Number(literal[1]), Number(literal[2]) - 1, Number(literal[3]));
  };
  const template = withBucket(parameters['storage.location.template'], bucket);
  expect(template.match(/\$\{[^}]+\}/g), 'one placeholder per partition column').toEqual(['${dt}']);
  expect(template.endsWith('/'), 'templated locations end with a slash').toBe(true);

  const locations = new Map<string, string>();
  for (let day = parse(start); day <= parse(end); day += interval * DAY) {
    const value = new Date(day).toISOString().slice(0, 10);
    locations.set(value, template.replace('${dt}', value));
  }
  return locations;
}

let s3: LocalS3;
let ingest: typeof IngestHandler;
let transform: typeof TransformHandler;
const transforms: Array<Promise<unknown>> = [];
let rawTable: Record<string, any>;
let curatedTable: Record<string, any>;
let written: string[] = [];
const now = new Date();

beforeAll(async () => {
  s3 = await startS3rver([RAW, CURATED]);
  useEmulatorEnvironment(s3.endpoint, { RAW_BUCKET: RAW, CURATED_BUCKET: CURATED, CURATED_FORMAT: 'parquet' });
  ingest = (await import('../src/functions/ingest.js')).handler;
  transform = (await import('../src/functions/transform.js')).handler;
  s3.onObjectCreated((event: S3Event) => {
    if (event.Records[0]!.s3.bucket.name === RAW) transforms.push(transform(event, lambdaContext()));
  });
  const { template } = synthStack({ curatedFormat: 'parquet' });
  rawTable = glueTable(template, 'raw_events').TableInput;
  curatedTable = glueTable(template, 'curated_events').TableInput;

  // Events over the last 10 days, and one on the first projected day.
  const events = [...generateEvents(400, { now, days: 10, seed: 7 }), { id: 'first-day', type: 'signup', time: '2020-01-01T00:00:00.000Z' }];
  const result = await ingest({ events }, lambdaContext());
  expect(result.rejected).toEqual([]);
  await Promise.all(transforms);
  written = result.objects.map((o) => o.key);
});
afterAll(async () => {
  await s3?.stop();
});

describe.each([
  ['raw_events', RAW, () => rawTable, (key: string) => key],
  ['curated_events', CURATED, () => curatedTable, (key: string) => curatedKey(key, 'parquet')],
])('the %s table', (_, bucket, table, keyIn) => {
  it('is partitioned by dt (string) and projects one partition per UTC day from 2020-01-01 to tomorrow', () => {
    expect(table().PartitionKeys).toEqual([expect.objectContaining({ Name: 'dt', Type: 'string' })]);
    const partitions = [...project(table().Parameters, bucket, now).keys()];
    expect(partitions[0]).toBe('2020-01-01');
    expect(partitions.at(-1)).toBe(new Date(now.getTime() + DAY).toISOString().slice(0, 10));
    expect(partitions).toContain(utcDate(now));
  });

  it('projects folders under the table location, which find every object the functions wrote, and only those', async () => {
    const projected = project(table().Parameters, bucket, now);
    const location = withBucket(table().StorageDescriptor.Location, bucket);
    expect(location).toBe(`s3://${bucket}/events/`);
    for (const folder of projected.values()) expect(folder.startsWith(location)).toBe(true);

    // What a ListObjectsV2 with each projected folder as its prefix returns (one listing, filtered
    // here: thousands of projected days against s3rver would take a minute).
    const everything = await s3.keys(bucket);
    const found: string[] = [];
    for (const [dt, folder] of projected) {
      const prefix = folder.slice(`s3://${bucket}/`.length);
      const keys = everything.filter((key) => key.startsWith(prefix));
      // Athena reads the files directly in the folder.
      for (const key of keys) expect(key.slice(prefix.length)).not.toContain('/');
      for (const key of keys) expect(parseRawKey(key.replace(/\.parquet$/, '.jsonl'))?.dt).toBe(dt);
      found.push(...keys);
    }
    expect(found.sort()).toEqual(everything);
    expect(everything).toEqual(written.map(keyIn).sort());
  });

  it("puts every event in the partition of its own time, so WHERE dt = … finds it", async () => {
    const projected = project(table().Parameters, bucket, now);
    const everything = await s3.keys(bucket);
    let rows = 0;
    for (const [dt, folder] of projected) {
      for (const key of everything.filter((k) => k.startsWith(folder.slice(`s3://${bucket}/`.length)))) {
        const times =
          bucket === RAW
            ? (await s3.text(bucket, key)).trimEnd().split('\n').map((l, i) => fromJsonLine(l, i + 1).event_time)
            : (await readParquet(await s3.bytes(bucket, key))).map((r) => r.event_time as Date);
        for (const time of times) expect(utcDate(time)).toBe(dt);
        rows += times.length;
      }
    }
    expect(rows).toBe(401);
  });
});

import type { KinesisStreamRecord } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFailedBatch, streamNameOf } from '../src/lib/failed-batches.js';
import { processInKeyOrder } from '../src/lib/key-ordered-batch.js';
import { InvalidRecordError, parseOrderEvent } from '../src/lib/order-events.js';
import { compareSequence, SEQUENCE_DIGITS, shardOfEventId, sortableSequence } from '../src/lib/sequence.js';

const sequenceNumber = fc.bigInt({ min: 0n, max: 10n ** 129n - 1n }).map(String);

describe('sequence numbers', () => {
  it('pad to 129 digits so that string order is numeric order, whatever their lengths', () => {
    fc.assert(
      fc.property(sequenceNumber, sequenceNumber, (a, b) => {
        const padded = [sortableSequence(a), sortableSequence(b)];
        expect(padded.every((s) => s.length === SEQUENCE_DIGITS)).toBe(true);
        expect(Math.sign(padded[0]!.localeCompare(padded[1]!, 'en'))).toBe(compareSequence(a, b));
        expect(compareSequence(a, b)).toBe(BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
      }),
    );
    expect(compareSequence('9', '10')).toBe(-1);
    expect(() => sortableSequence('0123')).toThrow(/not a Kinesis sequence number/);
    expect(() => sortableSequence('1'.repeat(130))).toThrow(/not a Kinesis sequence number/);
  });

  it('take the shard from the event id', () => {
    expect(shardOfEventId('shardId-000000000006:49590338271490256608559692538361571095921575989136588898')).toBe('shardId-000000000006');
    expect(() => shardOfEventId('49590338')).toThrow(/not a Kinesis event id/);
  });
});

describe('order events', () => {
  const data = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');
  it('decode from base64 JSON with the order id as the partition key', () => {
    expect(parseOrderEvent(data({ orderId: 'o-1', type: 'paid', at: '2026-11-26T10:00:00Z' }), 'o-1')).toEqual({ orderId: 'o-1', type: 'paid', at: '2026-11-26T10:00:00Z' });
  });
  it.each([
    ['not JSON', data('{"orderId":'), /not JSON/],
    ['an array', data([1]), /not a JSON object/],
    ['another partition key', data({ orderId: 'o-2', type: 'paid', at: '2026-11-26T10:00:00Z' }), /was put with partition key o-1/],
    ['an unknown type', data({ orderId: 'o-1', type: 'refunded', at: '2026-11-26T10:00:00Z' }), /type must be one of placed, paid/],
    ['no timestamp', data({ orderId: 'o-1', type: 'paid' }), /at must be an ISO 8601 timestamp/],
  ])('refuse %s as an invalid record', (_, value, message) => {
    expect(() => parseOrderEvent(value, 'o-1')).toThrow(InvalidRecordError);
    expect(() => parseOrderEvent(value, 'o-1')).toThrow(message);
  });
});

const record = (partitionKey: string, sequenceNumber: string) =>
  ({ kinesis: { partitionKey, sequenceNumber }, eventID: `shardId-000000000000:${sequenceNumber}` }) as KinesisStreamRecord;

describe('processInKeyOrder', () => {
  it('reports the failed record and the rest of its key, sorted as numbers, and carries on with other keys', async () => {
    const batch = [record('a', '8'), record('b', '9'), record('a', '10'), record('b', '11'), record('a', '12'), record('c', '100')];
    const seen: string[] = [];
    const { response, results } = await processInKeyOrder(batch, async (r) => {
      seen.push(r.kinesis.sequenceNumber);
      if (r.kinesis.sequenceNumber === '9') throw new Error('throttled');
      return 'ok';
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '9' }, { itemIdentifier: '11' }]);
    expect(results.map((r) => r.status)).toEqual(['done', 'failed', 'done', 'held back', 'done', 'done']);
    expect(seen).not.toContain('11');
  });

  it('runs different keys at the same time, and one key\'s records one after another', async () => {
    let running = 0;
    let most = 0;
    const perKey = new Map<string, number>();
    const batch = Array.from({ length: 40 }, (_, i) => record(`k${i % 8}`, String(1000 + i)));
    await processInKeyOrder(
      batch,
      async (r) => {
        const key = r.kinesis.partitionKey;
        expect(perKey.get(key) ?? 0).toBe(0);
        perKey.set(key, 1);
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 2));
        running--;
        perKey.set(key, 0);
      },
      { concurrency: 4 },
    );
    expect(most).toBe(4);
  });

  it('keeps every key\'s processed records a prefix of its records, and reports exactly the others', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.boolean()), { minLength: 1, maxLength: 60 }), async (spec) => {
        const batch = spec.map(([key], i) => record(key, String(10n ** 50n + BigInt(i * 7))));
        const fails = new Set(spec.flatMap(([, fail], i) => (fail ? [batch[i]!.kinesis.sequenceNumber] : [])));
        const { response, results } = await processInKeyOrder(batch, async (r) => {
          if (fails.has(r.kinesis.sequenceNumber)) throw new Error('no');
        });
        for (const key of ['a', 'b', 'c', 'd']) {
          const statuses = results.filter((r) => r.record.kinesis.partitionKey === key).map((r) => r.status);
          const firstFailure = statuses.indexOf('failed');
          const expected = firstFailure < 0 ? statuses.map(() => 'done') : statuses.map((_, i) => (i < firstFailure ? 'done' : i === firstFailure ? 'failed' : 'held back'));
          expect(statuses).toEqual(expected);
        }
        expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(results.filter((r) => r.status !== 'done').map((r) => r.record.kinesis.sequenceNumber));
      }),
    );
  });
});

describe('on-failure records', () => {
  const body = {
    requestContext: { requestId: 'c9b8fa9f-5a7f-xmpl-af9c-0c604cde93a5', functionArn: 'arn:aws:lambda:us-east-2:123456789012:function:myfunction', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 4 },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: '2019-11-14T00:38:06.021Z',
    KinesisBatchInfo: {
      shardId: 'shardId-000000000001',
      startSequenceNumber: '49601189658422359378836298521827638475320189012309704722',
      endSequenceNumber: '49601189658422359378836298522902373528957594348623495186',
      approximateArrivalOfFirstRecord: '2019-11-14T00:38:04.835Z',
      approximateArrivalOfLastRecord: '2019-11-14T00:38:05.580Z',
      batchSize: 500,
      streamArn: 'arn:aws:kinesis:us-east-2:123456789012:stream/mystream',
    },
  };
  it('parse the document Lambda sends (the example in the Lambda developer guide)', () => {
    expect(parseFailedBatch(JSON.stringify(body))).toEqual({ condition: 'RetryAttemptsExhausted', functionError: 'Unhandled', approximateInvokeCount: 4, batch: body.KinesisBatchInfo });
    expect(streamNameOf(body.KinesisBatchInfo.streamArn)).toBe('mystream');
    expect(() => parseFailedBatch(JSON.stringify({ ...body, KinesisBatchInfo: undefined }))).toThrow(/not a Kinesis on-failure record/);
  });
});

import { describe, expect, it } from 'vitest';
import { createdObjects, decodeKey, isTestEvent } from '../src/lib/s3-event.js';
import { encodeKeyAsS3, s3Notification, testEvent } from './helpers/events.js';

describe('object keys in S3 events', () => {
  it.each([
    ['red+flower.jpg', 'red flower.jpg'],
    ['incoming/gateway+9/batch+1%2B2.jsonl', 'incoming/gateway 9/batch 1+2.jsonl'],
    ['incoming/caf%C3%A9/r%C3%A9sum%C3%A9.jsonl', 'incoming/café/résumé.jsonl'],
    ['incoming/50%25/a%26b%3Dc.jsonl', 'incoming/50%/a&b=c.jsonl'],
    ['plain/key.jsonl', 'plain/key.jsonl'],
  ])('decodes %s to %s', (raw, key) => {
    expect(decodeKey(raw)).toBe(key);
  });

  it('round-trips every key the test helper encodes the way S3 does', () => {
    for (const key of ['a b', 'a+b', 'a%b', 'ü/ß €.jsonl', "it's (1).jsonl"]) expect(decodeKey(encodeKeyAsS3(key))).toBe(key);
  });
});

describe('reading a notification', () => {
  it('recognizes the s3:TestEvent and nothing else as one', () => {
    expect(isTestEvent(testEvent)).toBe(true);
    expect(isTestEvent(s3Notification({ bucket: 'b', key: 'k' }))).toBe(false);
    expect(isTestEvent(null)).toBe(false);
  });

  it('returns each ObjectCreated record decoded, with the ETag unquoted, and sets other records apart', () => {
    const event = s3Notification(
      { bucket: 'in', key: 'incoming/a b.jsonl', eTag: '"0123456789abcdef0123456789abcdef"', size: 12, eventTime: '2026-11-26T10:00:00.000Z' },
      { bucket: 'in', key: 'incoming/c.jsonl', eTag: '9b2cf535f27731c974343645a3985328-3', size: 16_000_000, eventName: 'ObjectCreated:CompleteMultipartUpload' },
      { bucket: 'in', key: 'incoming/d.jsonl', eventName: 'ObjectRemoved:Delete' },
    );
    expect(createdObjects(event)).toEqual({
      objects: [
        { bucket: 'in', key: 'incoming/a b.jsonl', eTag: '0123456789abcdef0123456789abcdef', size: 12, eventTime: '2026-11-26T10:00:00.000Z', eventName: 'ObjectCreated:Put' },
        { bucket: 'in', key: 'incoming/c.jsonl', eTag: '9b2cf535f27731c974343645a3985328-3', size: 16_000_000, eventTime: '2026-11-26T10:00:05.000Z', eventName: 'ObjectCreated:CompleteMultipartUpload' },
      ],
      ignored: [{ eventName: 'ObjectRemoved:Delete', reason: 'not an ObjectCreated record from S3' }],
    });
  });

  it('refuses something that is not an S3 notification', () => {
    expect(() => createdObjects({ detail: {} })).toThrow(/no Records array/);
  });
});

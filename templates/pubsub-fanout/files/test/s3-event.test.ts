import { describe, expect, it } from 'vitest';
import { filterPolicySuffixes, IMAGE_SUFFIXES, isImageKey } from '../src/lib/image-types.js';
import { decodeS3Key, parseNotification } from '../src/lib/s3-event.js';
import { encodeEventKey, s3Event, s3TestEvent, snsEnvelope } from './helpers/events.js';

describe('object keys in S3 events', () => {
  it.each([
    ['red+flower.jpg', 'red flower.jpg'],
    ['a%2Bb.jpg', 'a+b.jpg'],
    ['photos/2024/%C3%A9t%C3%A9+%281%29.png', 'photos/2024/été (1).png'],
    ['100%25.gif', '100%.gif'],
    ['plain/key.jpg', 'plain/key.jpg'],
  ])('decodes %s to %s', (encoded, key) => {
    expect(decodeS3Key(encoded)).toBe(key);
  });

  it('round-trips every key through the encoding S3 uses', () => {
    for (const key of ['a b+c/d e.jpg', '日本/写真.jpeg', "it's 50% off!.png", 'x/y/z.tiff']) {
      expect(decodeS3Key(encodeEventKey(key))).toBe(key);
    }
  });
});

describe('parsing an SQS message body', () => {
  const upload = { bucket: 'in', key: 'photos/red flower.jpg', eTag: '0123456789abcdef0123456789abcdef', size: 1234 };

  it('reads the S3 event (raw message delivery), with the key decoded', () => {
    expect(parseNotification(JSON.stringify(s3Event(upload)))).toEqual({
      kind: 'objects',
      objects: [{ ...upload, eventName: 'ObjectCreated:Put' }],
    });
  });

  it('reads the same event inside an SNS envelope', () => {
    expect(parseNotification(JSON.stringify(snsEnvelope(s3Event(upload))))).toEqual(parseNotification(JSON.stringify(s3Event(upload))));
  });

  it('keeps every record of an event, and only the object-created ones', () => {
    const event = s3Event(upload, { ...upload, key: 'b.png', eventName: 'ObjectCreated:CompleteMultipartUpload' }, { ...upload, key: 'c.png', eventName: 'ObjectRemoved:Delete' });
    const parsed = parseNotification(JSON.stringify(event));
    expect(parsed.kind === 'objects' && parsed.objects.map((o) => [o.key, o.eventName])).toEqual([
      ['photos/red flower.jpg', 'ObjectCreated:Put'],
      ['b.png', 'ObjectCreated:CompleteMultipartUpload'],
    ]);
  });

  it('carries the version id of a versioned bucket', () => {
    const event = s3Event(upload);
    event.Records[0]!.s3.object.versionId = '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY';
    const parsed = parseNotification(JSON.stringify(event));
    expect(parsed.kind === 'objects' && parsed.objects[0]!.versionId).toBe('3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY');
  });

  it('recognises the s3:TestEvent, raw or in an envelope', () => {
    expect(parseNotification(JSON.stringify(s3TestEvent('in')))).toEqual({ kind: 'test', bucket: 'in' });
    expect(parseNotification(JSON.stringify(snsEnvelope(s3TestEvent('in'))))).toEqual({ kind: 'test', bucket: 'in' });
  });

  it.each([
    ['not JSON', '{"Records": ['],
    ['JSON without Records', '{"hello":"world"}'],
    ['an array', '[1,2]'],
  ])('throws on %s, so the message is retried and ends in the dead-letter queue', (_, body) => {
    expect(() => parseNotification(body)).toThrow();
  });
});

describe('which keys are images', () => {
  it.each(['a.jpg', 'a.JPG', 'b/c.jpeg', 'd.PNG', 'e.gif', 'f.bmp', 'g.tif', 'h.TIFF'])('processes %s', (key) => {
    expect(isImageKey(key)).toBe(true);
  });

  it.each(['notes.txt', 'photo.jpg.txt', 'archive.zip', 'raw.heic', 'jpg', 'folder/'])('skips %s', (key) => {
    expect(isImageKey(key)).toBe(false);
  });

  it('lets the SNS filter policy through exactly the keys the handlers process, in both cases (SNS matching is case-sensitive)', () => {
    const suffixes = filterPolicySuffixes();
    expect(suffixes).toHaveLength(IMAGE_SUFFIXES.length * 2);
    for (const suffix of IMAGE_SUFFIXES) expect(suffixes).toEqual(expect.arrayContaining([suffix, suffix.toUpperCase()]));
    for (const suffix of suffixes) expect(isImageKey(`x/y${suffix}`)).toBe(true);
    // SNS counts the values of a filter policy's arrays: at most 150 combinations.
    expect(suffixes.length).toBeLessThanOrEqual(150);
  });
});

import { describe, expect, it } from 'vitest';

import { compilePattern, PatternError } from '../../../src/dev/messaging/pattern.js';

// The EC2 example event of AWS's "Event patterns" documentation.
const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated', 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.123', null_field: null, empty: '' },
};

const matches = (pattern: unknown, event: unknown = ec2Event) => compilePattern(pattern)(event);

describe('event pattern matching (EventBridge documentation examples)', () => {
  it('matches exact values, arrays as OR, and requires every field', () => {
    expect(matches({ source: ['aws.ec2'] })).toBe(true);
    expect(matches({ source: ['aws.s3', 'aws.ec2'] })).toBe(true);
    expect(matches({ source: ['aws.s3'] })).toBe(false);
    expect(matches({ source: ['aws.ec2'], 'detail-type': ['Other'] })).toBe(false);
    expect(matches({ detail: { state: ['terminated'] } })).toBe(true);
    expect(matches({ detail: { state: ['running'] } })).toBe(false);
  });

  it('matches an event array when any element matches', () => {
    expect(matches({ resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0', 'other'] })).toBe(true);
    expect(matches({ resources: ['other'] })).toBe(false);
  });

  it('matches nested fields through arrays of objects (flattened paths)', () => {
    const s3Notification = { Records: [{ s3: { object: { key: 'a.txt' } } }, { s3: { object: { key: 'photo.JPG' } } }] };
    const policy = { Records: { s3: { object: { key: [{ suffix: '.jpg' }, { suffix: '.JPG' }] } } } };
    expect(matches(policy, s3Notification)).toBe(true);
    expect(matches(policy, { Records: [{ s3: { object: { key: 'a.txt' } } }] })).toBe(false);
  });

  it('distinguishes null, empty string and missing', () => {
    expect(matches({ detail: { null_field: [null] } })).toBe(true);
    expect(matches({ detail: { empty: [''] } })).toBe(true);
    expect(matches({ detail: { missing: [null] } })).toBe(false);
    expect(matches({ detail: { empty: [null] } })).toBe(false);
  });

  it('prefix and suffix, including equals-ignore-case forms', () => {
    expect(matches({ time: [{ prefix: '2017-12-22' }] })).toBe(true);
    expect(matches({ time: [{ prefix: '2018' }] })).toBe(false);
    expect(matches({ source: [{ prefix: { 'equals-ignore-case': 'AWS.' } }] })).toBe(true);
    expect(matches({ 'detail-type': [{ suffix: 'Notification' }] })).toBe(true);
    expect(matches({ 'detail-type': [{ suffix: { 'equals-ignore-case': 'NOTIFICATION' } }] })).toBe(true);
    expect(matches({ 'detail-type': [{ suffix: 'NOTIFICATION' }] })).toBe(false);
  });

  it('anything-but: value, list, prefix, suffix', () => {
    expect(matches({ detail: { state: [{ 'anything-but': 'initializing' }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': 'terminated' }] } })).toBe(false);
    expect(matches({ detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } })).toBe(false);
    expect(matches({ detail: { 'c-count': [{ 'anything-but': 5 }] } })).toBe(false);
    expect(matches({ detail: { state: [{ 'anything-but': { prefix: 'init' } }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': { prefix: 'term' } }] } })).toBe(false);
    expect(matches({ detail: { 'instance-id': [{ 'anything-but': { suffix: 'ef0' } }] } })).toBe(false);
    expect(matches({ detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['TERMINATED'] } }] } })).toBe(false);
    // A missing field is not "anything but".
    expect(matches({ detail: { missing: [{ 'anything-but': 'x' }] } })).toBe(false);
  });

  it('numeric ranges compare numbers only', () => {
    expect(matches({ detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 3.018e2] }] } })).toBe(true);
    expect(matches({ detail: { 'c-count': [{ numeric: ['>', 5] }] } })).toBe(false);
    expect(matches({ detail: { state: [{ numeric: ['>', 0] }] } })).toBe(false);
    expect(matches({ detail: { 'c-count': ['5'] } })).toBe(false);
    expect(matches({ detail: { 'c-count': [5] } })).toBe(true);
  });

  it('exists true/false', () => {
    expect(matches({ detail: { state: [{ exists: true }] } })).toBe(true);
    expect(matches({ detail: { 'no-such-field': [{ exists: false }] } })).toBe(true);
    expect(matches({ detail: { state: [{ exists: false }] } })).toBe(false);
    expect(matches({ detail: { 'no-such-field': [{ exists: true }] } })).toBe(false);
  });

  it('equals-ignore-case, wildcard and cidr', () => {
    expect(matches({ 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] })).toBe(true);
    expect(matches({ resources: [{ wildcard: 'arn:aws:ec2:*:instance/i-*' }] })).toBe(true);
    expect(matches({ resources: [{ wildcard: 'arn:aws:s3:*' }] })).toBe(false);
    expect(matches({ detail: { empty: [{ wildcard: '*' }] } })).toBe(true);
    expect(matches({ x: [{ wildcard: 'a\\*b' }] }, { x: 'a*b' })).toBe(true);
    expect(matches({ x: [{ wildcard: 'a\\*b' }] }, { x: 'axxb' })).toBe(false);
    expect(matches({ detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } })).toBe(true);
    expect(matches({ detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } })).toBe(false);
    expect(matches({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:0db8:85a3::8a2e:370:7334' })).toBe(true);
    expect(matches({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db9::1' })).toBe(false);
  });

  it('$or combines alternatives with the other fields', () => {
    const pattern = { source: ['aws.ec2'], $or: [{ detail: { 'c-count': [{ numeric: ['>', 10] }] } }, { detail: { state: ['terminated'] } }] };
    expect(matches(pattern)).toBe(true);
    expect(matches({ ...pattern, source: ['aws.s3'] })).toBe(false);
    expect(matches({ $or: [{ detail: { state: ['running'] } }, { 'detail-type': ['x'] }] })).toBe(false);
  });

  it('accepts JSON text and rejects invalid patterns', () => {
    expect(compilePattern('{"source":["aws.ec2"]}')(ec2Event)).toBe(true);
    expect(() => compilePattern('{not json')).toThrow(PatternError);
    expect(() => compilePattern({ source: 'aws.ec2' })).toThrow(/must be an array or an object/);
    expect(() => compilePattern({ source: [{ begins: 'x' }] })).toThrow(/Unrecognized match type/);
    expect(() => compilePattern({ n: [{ numeric: ['>>', 1] }] })).toThrow(/numeric/);
  });

  it('serves SNS attribute policies (String.Array and Number attributes are prepared by sns.ts)', () => {
    const attrs = { customer_interests: ['rugby', 'football'], price_usd: 350, store: 'example_corp' };
    expect(matches({ customer_interests: ['rugby'] }, attrs)).toBe(true);
    expect(matches({ price_usd: [{ numeric: ['>=', 100, '<', 200] }] }, attrs)).toBe(false);
    expect(matches({ store: ['example_corp'], price_usd: [{ numeric: ['>', 300] }] }, attrs)).toBe(true);
    expect(matches({ event: [{ exists: false }] }, attrs)).toBe(true);
  });
});

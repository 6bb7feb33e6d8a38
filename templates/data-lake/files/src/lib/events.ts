import { createHash } from 'node:crypto';
import { EARLIEST_PARTITION, MAX_FUTURE_SKEW_MS } from './layout.js';

/**
 * One event as the lake stores it (a row of the events tables; see columns.ts). Timestamps are
 * whole milliseconds: Athena engine 3 reads timestamps at millisecond precision only.
 */
export interface EventRecord {
  event_id: string;
  event_type: string;
  event_time: Date;
  user_id: string | null;
  value: number | null;
  attributes: Record<string, string> | null;
  received_at: Date;
}

/** Why an event of a batch was refused: its position, its id when it had one, and every problem found. */
export interface Rejection {
  index: number;
  id?: string;
  errors: string[];
}

const FIELDS = ['id', 'type', 'time', 'userId', 'value', 'attributes'];
const TYPE = /^[a-z][a-z0-9_.-]{0,63}$/;
const ATTRIBUTE_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
// ISO 8601 date-time with seconds optional and a zone required: "2026-11-26T10:00:00.123+01:00", "…Z".
const ISO_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const MAX_ID_LENGTH = 128;
const MAX_USER_ID_LENGTH = 256;
const MAX_ATTRIBUTES = 50;
const MAX_ATTRIBUTE_VALUE_LENGTH = 1024;
const EARLIEST_MS = Date.parse(`${EARLIEST_PARTITION}T00:00:00Z`);
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Parses an event time: an ISO 8601 date-time with a zone (`Z` or `±hh:mm`), or epoch
 * milliseconds. A time without a zone is refused (which zone did the producer mean?); digits past
 * the millisecond are cut (Athena keeps milliseconds).
 */
export function parseEventTime(time: unknown): Date | string {
  if (typeof time === 'number') {
    if (!Number.isSafeInteger(time)) return `time must be whole epoch milliseconds (got ${time})`;
    return new Date(time);
  }
  if (typeof time !== 'string') return time === undefined ? 'time is missing' : `time must be a string or a number (got ${JSON.stringify(time)})`;
  const match = ISO_TIME.exec(time);
  if (!match) return `time "${time}" is not an ISO 8601 date-time with a time zone (such as 2026-11-26T10:00:00Z) nor epoch milliseconds`;
  const [, dateTime, fraction = '', zone] = match as unknown as [string, string, string | undefined, string];
  const parsed = Date.parse(`${dateTime}${fraction.slice(0, 4)}${zone}`);
  if (Number.isNaN(parsed) || !validFields(dateTime, zone)) return `time "${time}" is not a valid date-time`;
  return new Date(parsed);
}

/** Date.parse rolls 2026-02-30 over into March and accepts 24:00; a producer sending those has a bug worth seeing. */
function validFields(dateTime: string, zone: string): boolean {
  const [y, mo, d, h, mi, s = 0] = dateTime.split(/[-T:]/).map(Number) as [number, number, number, number, number, number?];
  const day = new Date(Date.UTC(y, mo - 1, d));
  const zoneOk = zone === 'Z' || (Number(zone.slice(1, 3)) <= 23 && Number(zone.slice(4, 6)) <= 59);
  return day.getUTCFullYear() === y && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d && h <= 23 && mi <= 59 && s <= 59 && zoneOk;
}

/**
 * Checks one event as a producer sends it and turns it into the stored record, or lists every
 * problem with it. `receivedAt` is the ingestion function's clock: the upper bound for the event's
 * time (plus MAX_FUTURE_SKEW_MS) and the record's `received_at`.
 */
export function toRecord(event: unknown, receivedAt: Date): EventRecord | string[] {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return ['an event must be a JSON object'];
  const input = event as Record<string, unknown>;
  const errors: string[] = [];
  for (const field of Object.keys(input)) {
    if (!FIELDS.includes(field)) errors.push(`unknown field "${field}" (the fields are ${FIELDS.join(', ')}; put anything else in attributes)`);
  }

  const { id, type, userId, value, attributes } = input;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH || CONTROL.test(id)) {
    errors.push(id === undefined ? 'id is missing' : `id must be a string of 1 to ${MAX_ID_LENGTH} characters without control characters`);
  }
  if (typeof type !== 'string' || !TYPE.test(type)) {
    errors.push(type === undefined ? 'type is missing' : 'type must be 1 to 64 lowercase letters, digits or _ . - starting with a letter, such as page_view');
  }

  const time = parseEventTime(input.time);
  if (typeof time === 'string') errors.push(time);
  else if (time.getTime() < EARLIEST_MS) errors.push(`time ${time.toISOString()} is before ${EARLIEST_PARTITION}, the first date the tables project (see src/lib/layout.ts)`);
  else if (time.getTime() > receivedAt.getTime() + MAX_FUTURE_SKEW_MS) errors.push(`time ${time.toISOString()} is more than ${MAX_FUTURE_SKEW_MS / 60_000} minutes in the future`);

  if (userId !== undefined && userId !== null && (typeof userId !== 'string' || userId.length === 0 || userId.length > MAX_USER_ID_LENGTH)) {
    errors.push(`userId must be a string of 1 to ${MAX_USER_ID_LENGTH} characters, or null`);
  }
  if (value !== undefined && value !== null && (typeof value !== 'number' || !Number.isFinite(value))) {
    errors.push('value must be a finite number, or null');
  }
  const flat = flattenAttributes(attributes, errors);

  if (errors.length > 0 || typeof time === 'string') return errors;
  return {
    event_id: id as string,
    event_type: type as string,
    event_time: time,
    user_id: (userId as string | null | undefined) ?? null,
    value: (value as number | null | undefined) ?? null,
    attributes: flat,
    received_at: new Date(Math.floor(receivedAt.getTime())),
  };
}

/** Attributes become a map of strings (numbers and booleans as their JSON text), so the column is one type everywhere. */
function flattenAttributes(attributes: unknown, errors: string[]): Record<string, string> | null {
  if (attributes === undefined || attributes === null) return null;
  if (typeof attributes !== 'object' || Array.isArray(attributes)) {
    errors.push('attributes must be an object of strings, numbers and booleans');
    return null;
  }
  const entries = Object.entries(attributes as Record<string, unknown>);
  if (entries.length > MAX_ATTRIBUTES) errors.push(`attributes may have at most ${MAX_ATTRIBUTES} keys (got ${entries.length})`);
  const flat: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (!ATTRIBUTE_KEY.test(key)) errors.push(`attribute key "${key}" must be 1 to 64 letters, digits or _ . -`);
    // Refused rather than stored: assigning it to an object sets the prototype instead of a key, so
    // JavaScript readers of the lake (this code included) would drop it without a word.
    else if (key === '__proto__') errors.push('attribute key "__proto__" is reserved');
    else if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      const text = String(value);
      if (text.length > MAX_ATTRIBUTE_VALUE_LENGTH) errors.push(`attribute "${key}" is longer than ${MAX_ATTRIBUTE_VALUE_LENGTH} characters`);
      else flat[key] = text;
    } else errors.push(`attribute "${key}" must be a string, a finite number or a boolean (nested values are not stored)`);
  }
  return entries.length > 0 ? flat : null;
}

/**
 * An instant as the JSON tables read it: `yyyy-MM-dd HH:mm:ss.SSS` in UTC. This is the text form
 * the Athena documentation gives for TIMESTAMP columns of JSON data (a space, not a "T", and no
 * zone), which the Hive JSON SerDe parses without a `timestamp.formats` property.
 */
export function formatTimestamp(time: Date): string {
  return time.toISOString().replace('T', ' ').replace('Z', '');
}

const TIMESTAMP_TEXT = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}\.\d{3})$/;

export function parseTimestamp(text: unknown): Date | undefined {
  const match = typeof text === 'string' ? TIMESTAMP_TEXT.exec(text) : null;
  if (!match) return undefined;
  const time = new Date(`${match[1]}T${match[2]}Z`);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/** One JSON Lines row of a JSON table: the columns in order, absent optional values left out (the SerDe reads them as null). */
export function toJsonLine(record: EventRecord): string {
  return JSON.stringify({
    event_id: record.event_id,
    event_type: record.event_type,
    event_time: formatTimestamp(record.event_time),
    ...(record.user_id !== null ? { user_id: record.user_id } : {}),
    ...(record.value !== null ? { value: record.value } : {}),
    ...(record.attributes !== null ? { attributes: record.attributes } : {}),
    received_at: formatTimestamp(record.received_at),
  });
}

export class RawFormatError extends Error {
  override readonly name = 'RawFormatError';
}

/** Reads back a line toJsonLine wrote; anything else is a RawFormatError naming the line. */
export function fromJsonLine(line: string, lineNumber: number): EventRecord {
  let row: Record<string, unknown>;
  try {
    row = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new RawFormatError(`line ${lineNumber}: not JSON`);
  }
  const fail = (what: string): never => {
    throw new RawFormatError(`line ${lineNumber}: ${what}`);
  };
  if (typeof row !== 'object' || row === null || Array.isArray(row)) fail('not a JSON object');
  const eventTime = parseTimestamp(row.event_time) ?? fail('event_time is not "yyyy-MM-dd HH:mm:ss.SSS"');
  const receivedAt = parseTimestamp(row.received_at) ?? fail('received_at is not "yyyy-MM-dd HH:mm:ss.SSS"');
  if (typeof row.event_id !== 'string' || row.event_id === '') fail('event_id is missing');
  if (typeof row.event_type !== 'string' || row.event_type === '') fail('event_type is missing');
  if (row.user_id !== undefined && row.user_id !== null && typeof row.user_id !== 'string') fail('user_id is not a string');
  if (row.value !== undefined && row.value !== null && typeof row.value !== 'number') fail('value is not a number');
  const attributes = row.attributes;
  if (attributes !== undefined && attributes !== null) {
    if (typeof attributes !== 'object' || Array.isArray(attributes) || Object.values(attributes).some((v) => typeof v !== 'string')) fail('attributes is not a map of strings');
  }
  return {
    event_id: row.event_id as string,
    event_type: row.event_type as string,
    event_time: eventTime,
    user_id: (row.user_id as string | null | undefined) ?? null,
    value: (row.value as number | null | undefined) ?? null,
    attributes: (attributes as Record<string, string> | null | undefined) ?? null,
    received_at: receivedAt,
  };
}

/**
 * The name of a raw object: a hash of its events without their `received_at`. The same events sent
 * again (a producer's retry after a timeout) land on the same key and replace the first copy
 * instead of doubling every row.
 */
export function batchId(records: EventRecord[]): string {
  const hash = createHash('sha256');
  for (const record of records) hash.update(toJsonLine({ ...record, received_at: new Date(0) })).update('\n');
  return hash.digest('hex').slice(0, 32);
}

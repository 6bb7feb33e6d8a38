/**
 * Kinesis sequence numbers are decimal strings of up to 129 digits ("0|([1-9]\d{0,128})" in the
 * API reference): far beyond a JavaScript number, and beyond DynamoDB's 38-digit numbers. Two of
 * them of different lengths must never be compared as strings ("9" > "10"), so this module
 * compares them as BigInts and stores them left-padded to a fixed width, where string order and
 * numeric order are the same (a DynamoDB condition can then compare them with `<`).
 */
export const SEQUENCE_DIGITS = 129;

const SEQUENCE_NUMBER = /^(0|[1-9]\d{0,128})$/;

export function isSequenceNumber(value: unknown): value is string {
  return typeof value === 'string' && SEQUENCE_NUMBER.test(value);
}

/** The sequence number padded with zeros to 129 digits, so that string order is numeric order. */
export function sortableSequence(sequenceNumber: string): string {
  if (!isSequenceNumber(sequenceNumber)) throw new Error(`not a Kinesis sequence number: ${JSON.stringify(sequenceNumber)}`);
  return sequenceNumber.padStart(SEQUENCE_DIGITS, '0');
}

/** Negative, zero or positive as `a` is before, equal to or after `b` (numerically). */
export function compareSequence(a: string, b: string): number {
  const difference = BigInt(a) - BigInt(b);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

/** A Kinesis event record's eventID is `<shardId>:<sequenceNumber>`. */
export function shardOfEventId(eventId: string): string {
  const separator = eventId.lastIndexOf(':');
  if (separator <= 0) throw new Error(`not a Kinesis event id (shardId:sequenceNumber): ${JSON.stringify(eventId)}`);
  return eventId.slice(0, separator);
}

import { createHash } from 'node:crypto';

import type { QueueMessage } from '../types.js';

export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/**
 * SQS's MD5OfMessageAttributes: names sorted, each as length-prefixed name, data type, a
 * transport byte (1 string, 2 binary) and length-prefixed value, so SDKs that verify it agree.
 */
export function md5OfMessageAttributes(attributes: QueueMessage['messageAttributes'] | undefined): string | undefined {
  const names = Object.keys(attributes ?? {}).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  const withLength = (bytes: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    hash.update(len);
    hash.update(bytes);
  };
  for (const name of names) {
    const attr = attributes![name]!;
    withLength(Buffer.from(name, 'utf8'));
    withLength(Buffer.from(attr.DataType, 'utf8'));
    if (attr.BinaryValue !== undefined && attr.StringValue === undefined) {
      hash.update(Buffer.from([2]));
      withLength(Buffer.from(attr.BinaryValue, 'base64'));
    } else {
      hash.update(Buffer.from([1]));
      withLength(Buffer.from(attr.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}

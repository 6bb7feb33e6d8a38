import { expect } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import type { SchemaElement } from 'hyparquet';

/** The rows of a Parquet file, read with hyparquet (the reader of the writer the transform uses); a null map reads as undefined there, here as null. */
export async function readParquet(bytes: Uint8Array): Promise<Array<Record<string, unknown>>> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const rows = await parquetReadObjects({ file });
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === undefined ? null : v])));
}

export function parquetSchemaOf(bytes: Uint8Array): SchemaElement[] {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return parquetMetadata(file).schema;
}

/**
 * The Hive (Glue, Athena DDL) type that reads each top-level column of a Parquet schema, after the
 * Athena documentation: UTF8 byte arrays are `string`; INT32/INT64/FLOAT/DOUBLE/BOOLEAN are
 * `int`/`bigint`/`float`/`double`/`boolean`; a DATE-annotated INT32 is `date`; an INT64 with a
 * TIMESTAMP annotation is `timestamp`, but Athena engine 3 requires millisecond precision of timestamp
 * data ("Precision mismatch in Timestamp columns"), so only TIMESTAMP_MILLIS maps; a MAP group maps
 * to `map<k,v>` of its key and value. Anything else is reported as unsupported, so the test fails.
 */
export function hiveColumns(schema: SchemaElement[]): Array<{ name: string; type: string }> {
  let index = 1;
  const scalar = (element: SchemaElement): string => {
    const converted = element.converted_type;
    if (element.type === 'BYTE_ARRAY' && converted === 'UTF8') return 'string';
    if (element.type === 'INT64' && converted === 'TIMESTAMP_MILLIS') return 'timestamp';
    if (element.type === 'INT32' && converted === 'DATE') return 'date';
    if (converted === undefined) {
      const plain: Record<string, string> = { INT32: 'int', INT64: 'bigint', FLOAT: 'float', DOUBLE: 'double', BOOLEAN: 'boolean' };
      if (element.type && plain[element.type]) return plain[element.type]!;
    }
    return `unsupported(${element.type}/${converted})`;
  };
  const columns: Array<{ name: string; type: string }> = [];
  for (let i = 0; i < (schema[0]!.num_children ?? 0); i++) {
    const element = schema[index++]!;
    if (element.converted_type === 'MAP') {
      const keyValue = schema[index++]!;
      if (keyValue.repetition_type !== 'REPEATED' || keyValue.num_children !== 2) return [{ name: element.name, type: 'unsupported(map layout)' }];
      const key = schema[index++]!;
      const value = schema[index++]!;
      if (key.repetition_type !== 'REQUIRED') return [{ name: element.name, type: 'unsupported(optional map key)' }];
      columns.push({ name: element.name, type: `map<${scalar(key)},${scalar(value)}>` });
    } else if (element.num_children) {
      return [{ name: element.name, type: 'unsupported(group)' }];
    } else {
      columns.push({ name: element.name, type: scalar(element) });
    }
  }
  return columns;
}

export function readJsonLinesGzip(bytes: Uint8Array): Array<Record<string, unknown>> {
  const text = gunzipSync(bytes).toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

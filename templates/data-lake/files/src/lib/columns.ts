/**
 * The columns of the events tables, in the order the files hold them, with the Hive type the Glue
 * tables declare (infra/constructs/catalog.ts). The raw zone (JSON Lines), the curated zone
 * (Parquet or gzip JSON Lines) and both tables share them; the partition column `dt` is not in
 * the files (it is the folder). test/transform.test.ts reads the written Parquet back and checks
 * its types against these, through the Parquet-to-Athena type mapping.
 */
export const COLUMNS = [
  { name: 'event_id', type: 'string', comment: "The producer's id of the event (unique per producer; the deduplication key)" },
  { name: 'event_type', type: 'string', comment: 'What happened, such as page_view or purchase' },
  { name: 'event_time', type: 'timestamp', comment: 'When it happened (UTC, millisecond precision); decides the partition' },
  { name: 'user_id', type: 'string', comment: 'Who did it, if known (null in the curated zone while redact-user-ids is on for the type)' },
  { name: 'value', type: 'double', comment: 'An optional measure, such as an amount' },
  { name: 'attributes', type: 'map<string,string>', comment: 'Optional flat key/value details' },
  { name: 'received_at', type: 'timestamp', comment: 'When the ingestion function received it (UTC)' },
] as const;

export type ColumnName = (typeof COLUMNS)[number]['name'];

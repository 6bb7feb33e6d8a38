import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { classify, httpStatus, ObjectChangedError, ObjectGoneError, ObjectTooLargeError } from './errors.js';
import { bareETag, type MapItem, type MapResult, type PartialCounts } from './job.js';
import { MAX_KEY_BYTES, MAX_OBJECT_BYTES, PARTIALS_PREFIX } from './settings.js';
import { countWords, sortedCounts } from './words.js';

export interface MapDependencies {
  s3: S3Client;
  inputBucket: string;
  inputPrefix: string;
  resultsBucket: string;
}

/**
 * Where the counts of one version of one object go: the input key and its ETag. Deterministic, so
 * a retried or redriven child workflow, or the next job over the same unchanged object, finds the
 * counts already there; a new upload under the same key has a new ETag and is counted again.
 */
export function partialKey(key: string, eTag: string): string {
  const partial = `${PARTIALS_PREFIX}${key}/${bareETag(eTag)}.json`;
  if (Buffer.byteLength(partial) > MAX_KEY_BYTES) {
    throw new ObjectTooLargeError(`The partial result key for "${key}" would be longer than S3's ${MAX_KEY_BYTES} bytes: shorten the input key`);
  }
  return partial;
}

/**
 * The map step for one input object:
 * 1. HeadObject on the partial result: when it exists, this object version was counted (by an
 *    earlier attempt, or an earlier job) and is not read again. Its totals are in its metadata.
 * 2. GetObject with If-Match on the listed ETag, streamed through the word counter: an object
 *    overwritten since the listing fails the item (ObjectChangedError) rather than mixing versions.
 * 3. PutObject of the counts under partials/<key>/<ETag>.json. The content depends only on the
 *    object's bytes, so two attempts racing here write the same thing.
 * Returns a pointer to the counts, never the counts themselves.
 */
export async function mapObject(item: MapItem, deps: MapDependencies): Promise<MapResult> {
  const { key } = item;
  if (key.endsWith('/')) return { status: 'skipped', key, reason: 'a folder placeholder, not an object to count' };
  if (!key.startsWith(deps.inputPrefix)) return { status: 'skipped', key, reason: `outside the input prefix "${deps.inputPrefix}"` };
  const eTag = bareETag(item.eTag);
  if (item.size > MAX_OBJECT_BYTES) {
    throw new ObjectTooLargeError(`s3://${deps.inputBucket}/${key} is ${item.size} bytes; one mapper counts objects up to ${MAX_OBJECT_BYTES} bytes: split it`);
  }
  const target = partialKey(key, eTag);

  const done = await headPartial(deps, target);
  if (done) return { status: 'counted', key, eTag, partialKey: target, ...done, reused: true };

  let body: AsyncIterable<Uint8Array>;
  try {
    const response = await deps.s3.send(new GetObjectCommand({ Bucket: deps.inputBucket, Key: key, IfMatch: `"${eTag}"` }));
    // S3 answers 412 when the ETag no longer matches; the ETag of what came back is checked too.
    if (response.ETag && bareETag(response.ETag) !== eTag) {
      (response.Body as { destroy?: () => void } | undefined)?.destroy?.();
      throw changed(deps, key, eTag);
    }
    body = (response.Body as AsyncIterable<Uint8Array> | undefined) ?? (async function* () {})();
  } catch (error) {
    if (error instanceof ObjectChangedError) throw error;
    if (httpStatus(error) === 412) throw changed(deps, key, eTag);
    if (httpStatus(error) === 404) throw new ObjectGoneError(`s3://${deps.inputBucket}/${key} was deleted after the job listed it`);
    return classify(error, `reading s3://${deps.inputBucket}/${key}`);
  }

  let tally;
  try {
    tally = await countWords(body, MAX_OBJECT_BYTES);
  } catch (error) {
    if (error instanceof RangeError) throw new ObjectTooLargeError(`s3://${deps.inputBucket}/${key} is larger than ${MAX_OBJECT_BYTES} bytes`);
    return classify(error, `reading s3://${deps.inputBucket}/${key}`);
  }

  const partial: PartialCounts = {
    version: 1,
    source: { bucket: deps.inputBucket, key, eTag, size: tally.bytes },
    words: tally.words,
    distinctWords: tally.counts.size,
    tooLong: tally.tooLong,
    counts: sortedCounts(tally.counts),
  };
  const json = JSON.stringify(partial);
  try {
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.resultsBucket,
        Key: target,
        Body: json,
        ContentLength: Buffer.byteLength(json),
        ContentType: 'application/json',
        // The totals, so that step 1 answers without downloading the counts.
        Metadata: { words: String(partial.words), 'distinct-words': String(partial.distinctWords), 'source-etag': eTag },
      }),
    );
  } catch (error) {
    return classify(error, `writing s3://${deps.resultsBucket}/${target}`);
  }
  return { status: 'counted', key, eTag, partialKey: target, words: partial.words, distinctWords: partial.distinctWords, reused: false };
}

const changed = (deps: MapDependencies, key: string, eTag: string) =>
  new ObjectChangedError(`s3://${deps.inputBucket}/${key} changed after the job listed it (ETag ${eTag}): run the job again to count the new version`);

async function headPartial(deps: MapDependencies, key: string): Promise<{ words: number; distinctWords: number } | undefined> {
  try {
    const head = await deps.s3.send(new HeadObjectCommand({ Bucket: deps.resultsBucket, Key: key }));
    const words = Number(head.Metadata?.words);
    const distinctWords = Number(head.Metadata?.['distinct-words']);
    // A partial without its totals was not written by this code: count the object again.
    return Number.isInteger(words) && Number.isInteger(distinctWords) ? { words, distinctWords } : undefined;
  } catch (error) {
    // 404 needs s3:ListBucket on the results bucket; without it S3 answers 403 for a missing key.
    if (httpStatus(error) === 404) return undefined;
    return classify(error, `checking s3://${deps.resultsBucket}/${key}`);
  }
}

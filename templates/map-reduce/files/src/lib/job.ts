/**
 * The data that crosses the Distributed Map: what each child workflow gets (the ItemSelector's
 * output), what each returns (a pointer, never the counts), and what a partial result holds.
 */

/**
 * One input object, as the Map state's ItemSelector builds it from the S3 item reader's item
 * ({ Key, Etag, Size, LastModified, StorageClass }, one per object ListObjectsV2 returned).
 */
export interface MapItem {
  key: string;
  /** As ListObjectsV2 returns it: in double quotes. */
  eTag: string;
  size: number;
}

/**
 * What a mapper returns: a few hundred bytes whatever the object's size. Step Functions caps a
 * state's input and output at 256 KiB, which the counts of one large file could exceed; the counts
 * go to S3 and only this pointer travels through the workflow and the result writer's files.
 */
export type MapResult =
  | {
      status: 'counted';
      key: string;
      eTag: string;
      /** Key of the partial result in the results bucket. */
      partialKey: string;
      words: number;
      distinctWords: number;
      /** True when an earlier attempt or an earlier job already counted this object version. */
      reused: boolean;
    }
  /** Not a text object to count: a "folder" placeholder (key ending in "/") or a key outside the input prefix. */
  | { status: 'skipped'; key: string; reason: string };

/** A partial result: the counts of one version of one input object. */
export interface PartialCounts {
  version: 1;
  source: { bucket: string; key: string; eTag: string; size: number };
  words: number;
  distinctWords: number;
  /** Runs of letters too long to be words (see src/lib/words.ts). */
  tooLong: number;
  /** Word → count, sorted by word. */
  counts: Record<string, number>;
}

/** The ETag without the double quotes S3 puts around it. */
export const bareETag = (eTag: string): string => eTag.replace(/^"|"$/g, '');

// Copied from sprout's src/runtime/flags by `npm run sync:runtime`: edit it there, not in a project.

/**
 * Sticky bucketing for percentage splits: who lands in which of the 10,000 buckets.
 *
 * FROZEN. The hash (MurmurHash3 x86 32-bit, seed 0, over the UTF-8 bytes of
 * `${flagKey}.${salt}.${targetingKey}`) and the reduction (`% 10000`) decide which users are in a
 * rollout. Changing either one — another hash, another seed, another separator, another encoding —
 * silently reshuffles EVERY user of EVERY flag in every deployed project: people who had a feature
 * lose it, others get it. test/runtime/flags/bucket.test.ts pins known values so such a change
 * fails loudly. To reshuffle one flag on purpose, change that flag's salt instead.
 *
 * MurmurHash3 rather than SHA-1 (LaunchDarkly's choice): it is what Unleash uses, it is a few lines
 * of plain arithmetic that run the same in Lambda, at the edge and in the CLI, and its 32 bits are
 * plenty for 10,000 buckets (the modulo bias is under 3 in a million).
 */

import { BASIS_POINTS } from './model.js';

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const utf8 = new TextEncoder();

/**
 * MurmurHash3_x86_32 of the UTF-8 bytes of `text`, as an unsigned 32-bit integer. Lone surrogates
 * are encoded as U+FFFD, as TextEncoder does (that, too, is part of the frozen behaviour).
 */
export function murmur3(text: string, seed = 0): number {
  const bytes = utf8.encode(text);
  const byte = (i: number) => bytes[i] ?? 0;
  const blockEnd = bytes.length - (bytes.length % 4);
  let h = seed >>> 0;

  for (let i = 0; i < blockEnd; i += 4) {
    const k = byte(i) | (byte(i + 1) << 8) | (byte(i + 2) << 16) | (byte(i + 3) << 24);
    h ^= scramble(k);
    h = rotl(h, 13);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }

  const tail = bytes.length % 4;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= byte(blockEnd + 2) << 16;
    if (tail >= 2) k ^= byte(blockEnd + 1) << 8;
    k ^= byte(blockEnd);
    h ^= scramble(k);
  }

  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The bucket (0–9999) of one targeting key for one flag; sticky for as long as the flag's salt stays. */
export function bucketOf(flagKey: string, salt: string, targetingKey: string): number {
  return murmur3(`${flagKey}.${salt}.${targetingKey}`) % BASIS_POINTS;
}

function scramble(k: number): number {
  return Math.imul(rotl(Math.imul(k, C1), 15), C2);
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

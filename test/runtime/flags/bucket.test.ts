import { describe, expect, it } from 'vitest';

import { bucketOf, murmur3 } from '../../../src/runtime/flags/bucket.js';

// Expected values computed with the reference C implementation of MurmurHash3_x86_32 (Python's
// mmh3 5.3.0, `mmh3.hash(text.encode("utf-8"), seed, signed=False)`), not with this code.
describe('murmur3 (MurmurHash3 x86 32-bit over UTF-8)', () => {
  it.each([
    ['', 0, 0],
    ['', 1, 0x514e28b7],
    ['a', 0, 0x3c2569b2],
    ['ab', 0, 0x9bbfd75f],
    ['abc', 0, 0xb3dd93fa],
    ['abcd', 0, 0x43ed676a],
    ['hello', 0, 0x248bfa47],
    ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723],
    ['Hello, world!', 0x9747b28c, 0x24884cba],
  ])('%j with seed %i is %i', (text, seed, expected) => {
    expect(murmur3(text, seed)).toBe(expected);
  });

  it.each([
    ['ππππππππ', 0x9747b28c, 0xd58063c1], // 2-byte characters, 16 bytes: whole blocks
    ['héllo wörld', 0, 0x97f7f274], // mixed widths, a 1-byte tail
    ['日本語', 0, 0xa5a47297], // 3-byte characters, 9 bytes
    ['🚀', 0, 0x7f675865], // a surrogate pair in JavaScript, 4 bytes in UTF-8
  ])('hashes the UTF-8 bytes of non-ASCII text: %j', (text, seed, expected) => {
    expect(murmur3(text, seed)).toBe(expected);
  });

  it('defaults to seed 0 and returns an unsigned 32-bit integer', () => {
    expect(murmur3('hello')).toBe(murmur3('hello', 0));
    for (const text of ['x', 'user-1', 'a much longer text that crosses several four-byte blocks']) {
      const hash = murmur3(text);
      expect(Number.isInteger(hash) && hash >= 0 && hash <= 0xffffffff).toBe(true);
    }
  });
});

describe('bucketOf: FROZEN — a failure here means every user would be reshuffled', () => {
  // Pinned values (cross-checked with mmh3: hash("<flagKey>.<salt>.<targetingKey>") % 10000).
  // Never update them to make a change pass: change a flag's salt to reshuffle that flag only.
  it.each([
    ['new-checkout', 'new-checkout', 'user-1', 3549],
    ['new-checkout', 'new-checkout', 'user-42', 3490],
    ['new-checkout', 'new-checkout', 'alice@example.com', 1400],
    ['new-checkout', 'new-checkout', 'Ünïcødé-用户', 5901],
    ['new-checkout', 'new-checkout', '', 8607],
    ['dark-mode', '2024-06', 'user-42', 9065],
  ])('%s / salt %s / %j → bucket %i', (flagKey, salt, targetingKey, expected) => {
    expect(bucketOf(flagKey, salt, targetingKey)).toBe(expected);
  });

  it('joins the parts with dots, so the salt reshuffles', () => {
    expect(bucketOf('new-checkout', 'new-checkout', 'user-42')).toBe(murmur3('new-checkout.new-checkout.user-42') % 10_000);
    expect(bucketOf('new-checkout', 'other-salt', 'user-42')).not.toBe(bucketOf('new-checkout', 'new-checkout', 'user-42'));
  });
});

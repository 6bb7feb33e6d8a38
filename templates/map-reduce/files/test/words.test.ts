import { describe, expect, it } from 'vitest';
import { MAX_WORD_LENGTH } from '../src/lib/settings.js';
import { countWords, WordCounter } from '../src/lib/words.js';
import { asObject, generateText } from './helpers/corpus.js';

const bytes = (text: string) => new TextEncoder().encode(text);
/** The text as a stream of `size`-byte chunks (splitting characters and words anywhere). */
async function* chunks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const all = bytes(text);
  for (let i = 0; i < all.length; i += size) yield all.subarray(i, i + size);
}
const count = async (text: string, size = 1 << 16) => asObject((await countWords(chunks(text, size))).counts);

describe('what counts as a word', () => {
  it('lowercases, splits on punctuation and hyphens, keeps inner apostrophes', async () => {
    expect(await count("The map, the MAP; well-known 'quoted' don't rock’n’roll x86 2026.")).toEqual({
      "don't": 1, 2026: 1, known: 1, map: 2, quoted: 1, 'rock’n’roll': 1, the: 2, well: 1, x86: 1,
    });
  });

  it('treats precomposed and combining accents alike, and reads any script', async () => {
    expect(await count('café cafe\u0301 CAFÉ Straße 東京 ΑΘΗΝΑ 𠮷野家')).toEqual({ café: 3, straße: 1, 東京: 1, αθηνα: 1, '𠮷野家': 1 });
  });

  it('counts words named like Object.prototype members as words', async () => {
    expect(await count('constructor toString constructor __proto__')).toEqual({ constructor: 2, tostring: 1, proto: 1 });
  });

  it(`does not count a run of more than ${MAX_WORD_LENGTH} letters, and says how many it skipped`, async () => {
    const long = 'a'.repeat(MAX_WORD_LENGTH + 1);
    const tally = await countWords(chunks(`short ${long} ${'b'.repeat(MAX_WORD_LENGTH)} ${'c'.repeat(100_000)} end`, 7));
    expect(asObject(tally.counts)).toEqual({ short: 1, ['b'.repeat(MAX_WORD_LENGTH)]: 1, end: 1 });
    expect(tally.tooLong).toBe(2);
  });

  it('handles CRLF, a byte order mark and an empty body', async () => {
    expect(await count('\uFEFFone\r\ntwo\r\n')).toEqual({ one: 1, two: 1 });
    expect(await count('')).toEqual({});
  });
});

describe('streaming', () => {
  it('gives the same counts whatever the chunk size: words and UTF-8 characters split across chunks are joined', async () => {
    const { text, counts } = generateText(42, 3_000);
    const expected = asObject(counts);
    for (const size of [1, 2, 3, 5, 64, 4096]) expect(await count(text, size), `chunks of ${size} bytes`).toEqual(expected);
  });

  it('keeps at most one word of carry-over between chunks', () => {
    const counter = new WordCounter();
    counter.push(bytes('alpha beta gam'));
    counter.push(bytes('ma delta'));
    expect(asObject(counter.end().counts)).toEqual({ alpha: 1, beta: 1, delta: 1, gamma: 1 });
  });

  it('stops a body longer than the limit', async () => {
    await expect(countWords(chunks('a'.repeat(100), 10), 50)).rejects.toThrow(RangeError);
  });
});

import { MAX_WORD_LENGTH } from './settings.js';

/**
 * What counts as a word, the sample job's whole definition of it:
 * - a run of Unicode letters, combining marks and digits (so "café", "naïve", "straße", "2026" and
 *   "東京" are words; "well-known" is two words, "e-mail" too);
 * - joined by an apostrophe (' or ’) between two such characters: "don't", "o'clock", "rock’n’roll"
 *   are one word each, while quotes around a word ('hello') are not part of it;
 * - compared case-insensitively (lowercased) and in Unicode NFC form, so "Café" typed with a
 *   combining accent and "café" with a precomposed one are the same word;
 * - longer than MAX_WORD_LENGTH characters: not a word (a hash, a base64 blob), counted as skipped.
 */
const WORD = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}\p{N}]+)*/gu;
/** A character a word may continue with at the end of a chunk (part of a word, or an apostrophe that may join the next one). */
const CONTINUES = /^[\p{L}\p{M}\p{N}'’]$/u;
/** The start of a chunk that continues a word too long to keep. */
const LEADING = /^[\p{L}\p{M}\p{N}'’]+/u;

export const normalizeWord = (word: string): string => word.normalize('NFC').toLowerCase();

/** Word counts, and what the counter saw besides words. */
export interface WordTally {
  counts: Map<string, number>;
  /** Every word counted. */
  words: number;
  /** Runs of letters longer than MAX_WORD_LENGTH, not counted as words. */
  tooLong: number;
  /** Bytes read. */
  bytes: number;
}

/**
 * Counts words in a byte stream (an S3 object body) as it arrives, holding one chunk at a time:
 * UTF-8 is decoded in streaming mode (a character split across chunks is joined), and a word
 * that may continue in the next chunk is carried over, at most MAX_WORD_LENGTH + 1 characters of
 * it. `limitBytes` stops a body longer than announced.
 */
export class WordCounter {
  private readonly decoder = new TextDecoder('utf-8');
  private carry = '';
  /** Inside a run of letters already too long to be a word: drop characters until it ends. */
  private skipping = false;
  readonly tally: WordTally = { counts: new Map(), words: 0, tooLong: 0, bytes: 0 };

  push(chunk: Uint8Array): void {
    this.tally.bytes += chunk.byteLength;
    this.feed(this.decoder.decode(chunk, { stream: true }), false);
  }

  /** Flushes the last word; the tally is complete afterwards. */
  end(): WordTally {
    this.feed(this.decoder.decode(), true);
    return this.tally;
  }

  private feed(decoded: string, last: boolean): void {
    let text = decoded;
    if (this.skipping) {
      const rest = text.replace(LEADING, '');
      // The whole chunk continues the long run: keep skipping.
      if (rest.length === 0 && !last) return;
      this.skipping = false;
      text = rest;
    }
    text = this.carry + text;
    this.carry = '';
    if (!last) {
      const tail = text.slice(tailStart(text));
      if (tail.length > MAX_WORD_LENGTH + 1) {
        // Too long already, whatever follows: count it once and skip the rest of it.
        this.tally.tooLong += 1;
        this.skipping = true;
        text = text.slice(0, text.length - tail.length);
      } else {
        this.carry = tail;
        text = text.slice(0, text.length - tail.length);
      }
    }
    for (const match of text.matchAll(WORD)) this.add(match[0]);
  }

  private add(raw: string): void {
    if (raw.length > MAX_WORD_LENGTH) {
      this.tally.tooLong += 1;
      return;
    }
    const word = normalizeWord(raw);
    this.tally.counts.set(word, (this.tally.counts.get(word) ?? 0) + 1);
    this.tally.words += 1;
  }
}

/**
 * Where the run of word characters at the end of `text` starts (text.length when there is none).
 * Scanned backwards one code point at a time: a regex anchored at the end would rescan a long run
 * from each of its characters.
 */
function tailStart(text: string): number {
  let start = text.length;
  while (start > 0) {
    const low = text.charCodeAt(start - 1);
    // A character outside the BMP is a surrogate pair: test it whole.
    const width = low >= 0xdc00 && low <= 0xdfff && start >= 2 ? 2 : 1;
    if (!CONTINUES.test(text.slice(start - width, start))) break;
    start -= width;
  }
  return start;
}

/** Counts the words of a whole stream (see WordCounter). */
export async function countWords(body: AsyncIterable<Uint8Array>, limitBytes = Number.POSITIVE_INFINITY): Promise<WordTally> {
  const counter = new WordCounter();
  for await (const chunk of body) {
    counter.push(chunk);
    if (counter.tally.bytes > limitBytes) throw new RangeError(`the body is longer than ${limitBytes} bytes`);
  }
  return counter.end();
}

/** Counts as a plain object sorted by word: the stable form written to S3. */
export function sortedCounts(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

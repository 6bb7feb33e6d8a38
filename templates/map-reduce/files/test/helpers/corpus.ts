/**
 * Text with known word frequencies, generated from a vocabulary of surface forms: the expected
 * counts are summed from what was generated, never by tokenizing the text, so they check the
 * mapper's tokenizer instead of repeating it.
 */

/** A surface form as it appears in the text, and the words it must count as (lowercased, NFC). */
export interface Form {
  text: string;
  words: string[];
}

const form = (text: string, ...words: string[]): Form => ({ text, words: words.length ? words : [text.normalize('NFC').toLowerCase()] });

/** Plain words, case variants, apostrophes, accents (precomposed and combining), other scripts, digits, hyphens. */
export const VOCABULARY: Form[] = [
  form('the'), form('The', 'the'), form('THE', 'the'),
  form('and'), form('of'), form('a'), form('to'),
  form('map'), form('Map', 'map'), form('reduce'), form('Reduce', 'reduce'),
  form('words'), form('count'), form('distributed'), form('serverless'), form('lambda'),
  form("don't"), form("Don't", "don't"), form('rock’n’roll'), form("o'clock"),
  form('café'), form('cafe\u0301', 'café'), form('Café', 'café'), form('naïve'), form('Straße', 'straße'),
  form('東京'), form('ΑΘΗΝΑ', 'αθηνα'), form('2026'), form('x86'),
  form('well-known', 'well', 'known'), form('e-mail', 'e', 'mail'),
  // Words that are also names of Object.prototype members: a plain object used as a map would miscount them.
  form('constructor'), form('toString', 'tostring'), form('hasOwnProperty', 'hasownproperty'), form('valueOf', 'valueof'),
];

/** What separates two forms: whitespace, punctuation, quotes, never a letter, digit or a lone apostrophe between letters. */
export const SEPARATORS = [' ', ' ', ' ', '\n', '\r\n', '\t', ', ', '. ', '; ', ' — ', ' (', ') ', ' "', '" ', "' '", ' - ', '!\n\n', '? ', ' / ', '… ', ' * '];

/** A small deterministic PRNG (mulberry32), so a failing test fails the same way every time. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedText {
  text: string;
  /** Word → occurrences, from the forms used. */
  counts: Map<string, number>;
}

/** `forms` forms drawn from the vocabulary (skewed: early entries more often), joined by random separators. */
export function generateText(seed: number, forms: number): GeneratedText {
  const next = random(seed);
  const counts = new Map<string, number>();
  const parts: string[] = [];
  for (let i = 0; i < forms; i++) {
    const index = Math.floor(next() ** 2 * VOCABULARY.length);
    const chosen = VOCABULARY[index]!;
    for (const word of chosen.words) counts.set(word, (counts.get(word) ?? 0) + 1);
    if (i > 0) parts.push(SEPARATORS[Math.floor(next() * SEPARATORS.length)]!);
    parts.push(chosen.text);
  }
  return { text: parts.join(''), counts };
}

/** Adds `more` into `into`. */
export function addCounts(into: Map<string, number>, more: Map<string, number>): Map<string, number> {
  for (const [word, count] of more) into.set(word, (into.get(word) ?? 0) + count);
  return into;
}

export const asObject = (counts: Map<string, number>): Record<string, number> => Object.fromEntries([...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

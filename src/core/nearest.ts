import { distance } from 'fastest-levenshtein';

/**
 * The candidates closest to a mistyped input, best first: those within a few edits,
 * and those that contain the input or are contained in it ("saga" for "sagas").
 */
export function nearest(input: string, candidates: readonly string[], limit = 3): string[] {
  const needle = input.toLowerCase();
  const maxEdits = Math.max(2, Math.floor(needle.length / 3));
  return candidates
    .map((candidate) => {
      const lower = candidate.toLowerCase();
      const edits = distance(needle, lower);
      const contains = needle.length >= 3 && (lower.includes(needle) || needle.includes(lower));
      return { candidate, edits, close: edits <= maxEdits || contains };
    })
    .filter((scored) => scored.close)
    .sort((a, b) => a.edits - b.edits || a.candidate.localeCompare(b.candidate))
    .slice(0, limit)
    .map((scored) => scored.candidate);
}

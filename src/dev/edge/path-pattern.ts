/**
 * CloudFront's cache behaviour path patterns: `*` matches zero or more characters, `?` exactly
 * one, everything else itself, case-sensitively, against the request's path without the query
 * string. A pattern may be written with or without its leading slash ("images/*.jpg" is
 * "/images/*.jpg"). Behaviours are tried in the order the distribution lists them; the default
 * behaviour takes whatever none of them matched.
 */
export function pathPatternMatches(pattern: string, path: string): boolean {
  const normalized = pattern.startsWith('/') ? pattern : `/${pattern}`;
  return wildcard(normalized, path);
}

/** Iterative glob match with backtracking to the last `*` (linear in practice, no regex escaping pitfalls). */
function wildcard(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

export interface BehaviourLike {
  /** The behaviour's PathPattern. */
  pattern: string;
}

/** The first cache behaviour whose pattern matches `path`, else the default behaviour. */
export function behaviourFor<B extends BehaviourLike>(path: string, behaviours: B[], defaultBehaviour: B): B {
  return behaviours.find((behaviour) => pathPatternMatches(behaviour.pattern, path)) ?? defaultBehaviour;
}

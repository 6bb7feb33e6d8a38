/**
 * EventBridge event patterns and SNS filter policies share one grammar, so one matcher serves
 * both. Semantics follow AWS's: the event is seen as flattened paths (arrays at any depth are
 * flattened, so `{"a":{"b":["x"]}}` matches `{"a":[{"b":"y"},{"b":"x"}]}`), each pattern field
 * lists the values it accepts (OR), all fields must match (AND), `$or` adds alternatives.
 */

export class PatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatternError';
  }
}

/** Parses a pattern given as an object or as JSON text (CloudFormation accepts both). */
export function parsePattern(pattern: unknown): Record<string, unknown> {
  const value = typeof pattern === 'string' ? safeParse(pattern) : pattern;
  if (!isObject(value)) throw new PatternError('Event pattern is not a JSON object');
  validate(value, '');
  return value;
}

/** Whether `event` (a parsed JSON value) matches `pattern`. */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  return matchObject(pattern, isObject(event) ? [event] : []);
}

/** Compiles once, matches many times; throws PatternError for an invalid pattern. */
export function compilePattern(pattern: unknown): (event: unknown) => boolean {
  const parsed = parsePattern(pattern);
  return (event) => matchesPattern(parsed, event);
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new PatternError('Event pattern is not valid JSON');
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The objects or leaves reachable under `key` from each node, with arrays flattened. */
function childrenOf(nodes: unknown[], key: string): unknown[] {
  const out: unknown[] = [];
  for (const node of nodes) {
    if (isObject(node) && Object.prototype.hasOwnProperty.call(node, key)) flattenInto(node[key], out);
  }
  return out;
}

function flattenInto(value: unknown, out: unknown[]): void {
  if (Array.isArray(value)) for (const v of value) flattenInto(v, out);
  else out.push(value);
}

function matchObject(pattern: Record<string, unknown>, nodes: unknown[]): boolean {
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!(sub as Record<string, unknown>[]).some((alt) => matchObject(alt, nodes))) return false;
      continue;
    }
    const values = childrenOf(nodes, key);
    if (Array.isArray(sub)) {
      // Leaves only: an object at a leaf position is not a value a matcher can accept.
      const leaves = values.filter((v) => !isObject(v));
      if (!sub.some((matcher) => matchLeaf(matcher, leaves))) return false;
    } else if (isObject(sub)) {
      if (!matchObject(sub, values.filter(isObject))) return false;
    }
  }
  return true;
}

/** One matcher of a field's list against the field's (flattened) values; `leaves` is empty when the field is absent. */
function matchLeaf(matcher: unknown, leaves: unknown[]): boolean {
  if (!isObject(matcher)) return leaves.some((v) => exactEquals(matcher, v));
  const [op, arg] = Object.entries(matcher)[0] as [string, unknown];
  if (op === 'exists') return arg ? leaves.length > 0 : leaves.length === 0;
  return leaves.some((v) => matchOperator(op, arg, v));
}

function exactEquals(expected: unknown, actual: unknown): boolean {
  if (expected === null) return actual === null;
  if (typeof expected === 'number') return typeof actual === 'number' && actual === expected;
  return expected === actual;
}

function matchOperator(op: string, arg: unknown, value: unknown): boolean {
  switch (op) {
    case 'prefix':
      return affix(arg, value, (s, a) => s.startsWith(a));
    case 'suffix':
      return affix(arg, value, (s, a) => s.endsWith(a));
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === String(arg).toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && wildcardRegex(String(arg)).test(value);
    case 'numeric':
      return typeof value === 'number' && numericMatches(arg as unknown[], value);
    case 'cidr':
      return typeof value === 'string' && cidrContains(String(arg), value);
    case 'anything-but':
      return anythingBut(arg, value);
    default:
      return false;
  }
}

/** `{"prefix":"x"}` or `{"prefix":{"equals-ignore-case":"x"}}` (same for suffix). */
function affix(arg: unknown, value: unknown, test: (s: string, a: string) => boolean): boolean {
  if (typeof value !== 'string') return false;
  if (isObject(arg)) return test(value.toLowerCase(), String(arg['equals-ignore-case']).toLowerCase());
  return test(value, String(arg));
}

function anythingBut(arg: unknown, value: unknown): boolean {
  if (Array.isArray(arg)) return !arg.some((a) => exactEquals(a, value));
  if (isObject(arg)) {
    const [op, inner] = Object.entries(arg)[0] as [string, unknown];
    // anything-but {prefix|suffix|equals-ignore-case|wildcard}: only strings can be compared.
    if (typeof value !== 'string') return op !== 'prefix' && op !== 'suffix' && op !== 'equals-ignore-case' && op !== 'wildcard';
    const list = Array.isArray(inner) ? inner : [inner];
    return !list.some((a) => matchOperator(op, a, value));
  }
  return !exactEquals(arg, value);
}

function wildcardRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      re += escapeRegex(pattern[++i]!);
    } else if (c === '*') {
      re += '.*';
    } else {
      re += escapeRegex(c);
    }
  }
  return new RegExp(`^${re}$`, 's');
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function numericMatches(spec: unknown[], value: number): boolean {
  for (let i = 0; i + 1 < spec.length; i += 2) {
    const op = spec[i];
    const bound = Number(spec[i + 1]);
    const ok =
      op === '=' ? value === bound : op === '<' ? value < bound : op === '<=' ? value <= bound : op === '>' ? value > bound : op === '>=' ? value >= bound : false;
    if (!ok) return false;
  }
  return true;
}

function cidrContains(cidr: string, ip: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const baseBytes = ipBytes(base ?? '');
  const ipB = ipBytes(ip);
  if (!baseBytes || !ipB || baseBytes.length !== ipB.length) return false;
  const bits = bitsText === undefined ? baseBytes.length * 8 : Number(bitsText);
  for (let bit = 0; bit < bits; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((baseBytes[byte]! & mask) !== (ipB[byte]! & mask)) return false;
  }
  return true;
}

function ipBytes(ip: string): number[] | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) {
    const parts = ip.split('.').map(Number);
    return parts.every((p) => p <= 255) ? parts : undefined;
  }
  if (!ip.includes(':')) return undefined;
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const groups = (s: string) => (s ? s.split(':') : []);
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const missing = 8 - h.length - t.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  const all = [...h, ...Array<string>(missing).fill('0'), ...t];
  const bytes: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const n = parseInt(g, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  return bytes;
}

const OPERATORS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'numeric', 'cidr', 'anything-but', 'exists']);

/** Rejects what AWS rejects when the rule or subscription is created, so a typo fails loudly instead of never matching. */
function validate(pattern: Record<string, unknown>, path: string): void {
  for (const [key, sub] of Object.entries(pattern)) {
    const where = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(sub) || sub.length < 2 || !sub.every(isObject)) throw new PatternError(`"$or" at ${where} needs a list of at least two objects`);
      for (const alt of sub) validate(alt as Record<string, unknown>, path);
    } else if (Array.isArray(sub)) {
      for (const m of sub) validateMatcher(m, where);
    } else if (isObject(sub)) {
      validate(sub, where);
    } else {
      throw new PatternError(`Event pattern field ${where} must be an array or an object, got ${JSON.stringify(sub)}`);
    }
  }
}

function validateMatcher(m: unknown, where: string): void {
  if (!isObject(m)) return;
  const keys = Object.keys(m);
  if (keys.length !== 1 || !OPERATORS.has(keys[0]!)) throw new PatternError(`Unrecognized match type ${keys.join(',')} at ${where}`);
  const arg = m[keys[0]!];
  if (keys[0] === 'numeric') {
    if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0 || arg.length > 4) throw new PatternError(`Bad numeric range at ${where}`);
    for (let i = 0; i < arg.length; i += 2) {
      if (!['=', '<', '<=', '>', '>='].includes(String(arg[i])) || typeof arg[i + 1] !== 'number') throw new PatternError(`Bad numeric range at ${where}`);
    }
  }
  if (keys[0] === 'exists' && typeof arg !== 'boolean') throw new PatternError(`exists at ${where} must be true or false`);
}

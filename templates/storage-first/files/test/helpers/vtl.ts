/**
 * A renderer for the small part of API Gateway's mapping template language (Velocity) that this
 * project's templates use, so the tests can run the synthesized templates on sample bodies:
 * `$input.body`, `$input.json('…')`, `$input.path('…')`, `$util.urlEncode(…)`,
 * `$util.base64Encode(…)`, `$context.requestId`, and whole-line `#set`, `#if`/`#else`/`#end` with
 * `==` and `||`. Anything else throws, so a template that grows beyond it fails the tests instead
 * of being rendered wrongly. Semantics follow API Gateway's reference ("Variables for data
 * transformations"): urlEncode is Java's URLEncoder (UTF-8, space as +), base64Encode encodes the
 * UTF-8 bytes, $input.json writes the value as JSON, $input.path returns it as is.
 */

export interface RenderInput {
  /** The raw body: the client's request, or the integration's response. */
  body: string;
  requestId?: string;
}

export interface Rendered {
  output: string;
  /** What `#set($context.responseOverride.status = …)` set, if anything. */
  statusOverride?: number;
}

/** Java's URLEncoder.encode(value, "UTF-8"): letters, digits and . - * _ stay, space becomes +. */
export function javaUrlEncode(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      if (/[A-Za-z0-9.\-*_]/.test(char)) return char;
      if (char === ' ') return '+';
      return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/** `$`, `$.a.b`, `$.a[0].b` over a parsed JSON value. */
function select(document: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new Error(`unsupported JSONPath ${path}`);
  let value: any = document;
  for (const [, key, index] of path.slice(1).matchAll(/\.([A-Za-z_][\w]*)|\[(\d+)\]/g)) {
    if (value === null || value === undefined) return undefined;
    value = key !== undefined ? value[key] : value[Number(index)];
  }
  return value;
}

export function renderVtl(template: string, input: RenderInput): Rendered {
  const variables = new Map<string, unknown>();
  let statusOverride: number | undefined;
  let parsed: unknown;
  const json = () => (parsed ??= JSON.parse(input.body));

  const evaluate = (expression: string): unknown => {
    const e = expression.trim();
    if (e === '$input.body') return input.body;
    if (e === '$context.requestId') return input.requestId ?? 'request-id';
    let m = /^\$input\.(json|path)\('([^']*)'\)$/.exec(e);
    if (m) {
      const value = select(json(), m[2]!);
      return m[1] === 'json' ? JSON.stringify(value ?? null) : value;
    }
    m = /^\$util\.(urlEncode|base64Encode)\((.*)\)$/.exec(e);
    if (m) {
      const value = String(evaluate(m[2]!));
      return m[1] === 'urlEncode' ? javaUrlEncode(value) : Buffer.from(value, 'utf8').toString('base64');
    }
    m = /^"([^"]*)"$/.exec(e);
    if (m) return m[1];
    if (/^\d+$/.test(e)) return Number(e);
    m = /^\$([A-Za-z]\w*)$/.exec(e);
    if (m && variables.has(m[1]!)) return variables.get(m[1]!);
    throw new Error(`unsupported expression: ${e}`);
  };

  const condition = (text: string): boolean =>
    text.split('||').some((part) => {
      const [left, right, extra] = part.split('==');
      if (right === undefined || extra !== undefined) throw new Error(`unsupported condition: ${text}`);
      return evaluate(left!) === evaluate(right);
    });

  // References inside a line of output: the longest forms first, so `$util.urlEncode($input.body)` is one.
  const reference = /\$util\.\w+\((?:[^()]|\([^()]*\))*\)|\$input\.(?:json|path)\('[^']*'\)|\$input\.body|\$context\.requestId|\$[A-Za-z]\w*/g;
  const substitute = (line: string) => {
    // A `$` or `#` left outside the references means a construct this renderer does not know.
    if (/[$#]/.test(line.replace(reference, ''))) throw new Error(`unsupported template text: ${line}`);
    return line.replace(reference, (match) => String(evaluate(match)));
  };

  const output: string[] = [];
  const active: boolean[] = [];
  const emitting = () => active.every(Boolean);
  for (const line of template.split('\n')) {
    const directive = /^\s*#(set|if|else|end)\b(.*)$/.exec(line);
    if (!directive) {
      if (emitting()) output.push(substitute(line));
      continue;
    }
    const [, name, rest] = directive;
    if (name === 'if') active.push(condition(/^\((.*)\)\s*$/.exec(rest!)![1]!));
    else if (name === 'else') active.push(!active.pop());
    else if (name === 'end') active.pop();
    else if (emitting()) {
      const set = /^\(\s*\$([\w.]+)\s*=\s*(.*)\)\s*$/.exec(rest!);
      if (!set) throw new Error(`unsupported #set: ${line}`);
      const value = evaluate(set[2]!);
      if (set[1] === 'context.responseOverride.status') statusOverride = Number(value);
      else if (/^[A-Za-z]\w*$/.test(set[1]!)) variables.set(set[1]!, value);
      else throw new Error(`unsupported #set target: ${set[1]}`);
    }
  }
  if (active.length > 0) throw new Error('unterminated #if');
  return { output: output.join('\n'), ...(statusOverride === undefined ? {} : { statusOverride }) };
}

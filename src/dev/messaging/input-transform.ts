/**
 * What an EventBridge target receives: the whole event, a constant Input, the part an InputPath
 * selects, or an InputTransformer's template filled in with AWS's placeholder rules.
 */

export interface TargetInputSpec {
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
}

export interface RuleContext {
  ruleArn: string;
  ruleName: string;
  ingestionTime: string;
}

/** The text sent to the target. */
export function targetInput(spec: TargetInputSpec, event: Record<string, unknown>, rule: RuleContext): string {
  if (spec.Input !== undefined) return spec.Input;
  if (spec.InputPath !== undefined) {
    const value = selectPath(event, spec.InputPath);
    return JSON.stringify(value === undefined ? null : value);
  }
  if (spec.InputTransformer) return renderTemplate(spec.InputTransformer, event, rule);
  return JSON.stringify(event);
}

/** EventBridge's JSON path subset: `$`, `.name`, `['name']`, `[index]`, `*`. A wildcard yields an array. */
export function selectPath(root: unknown, path: string): unknown {
  const tokens = tokenize(path);
  let current: unknown[] = [root];
  let multi = false;
  for (const token of tokens) {
    const next: unknown[] = [];
    for (const node of current) {
      if (token === '*') {
        multi = true;
        if (Array.isArray(node)) next.push(...node);
        else if (node && typeof node === 'object') next.push(...Object.values(node));
      } else if (typeof token === 'number') {
        if (Array.isArray(node) && token < node.length) next.push(node[token]);
      } else if (node && typeof node === 'object' && !Array.isArray(node) && Object.prototype.hasOwnProperty.call(node, token)) {
        next.push((node as Record<string, unknown>)[token]);
      }
    }
    current = next;
  }
  return multi ? current : current[0];
}

function tokenize(path: string): Array<string | number> {
  const trimmed = path.trim();
  if (!trimmed.startsWith('$')) throw new Error(`Invalid JSON path ${path}`);
  const tokens: Array<string | number> = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]|\[\*\]/gy;
  re.lastIndex = 1;
  while (re.lastIndex < trimmed.length) {
    const m = re.exec(trimmed);
    if (!m) throw new Error(`Invalid JSON path ${path}`);
    if (m[1] !== undefined) tokens.push(m[1]);
    else if (m[2] !== undefined) tokens.push(Number(m[2]));
    else if (m[3] !== undefined) tokens.push(m[3]);
    else if (m[4] !== undefined) tokens.push(m[4]);
    else tokens.push('*');
  }
  return tokens;
}

/**
 * AWS's rules: in a JSON template a placeholder outside quotes takes the value as JSON (a string
 * gets its quotes), inside quotes it takes the text (a string unescaped, an object or array as
 * JSON with its inner quotes removed); in a plain-text template a string is inserted as text. A
 * path missing from the event leaves nothing (null where JSON needs a value).
 */
export function renderTemplate(transformer: NonNullable<TargetInputSpec['InputTransformer']>, event: Record<string, unknown>, rule: RuleContext): string {
  const template = transformer.InputTemplate;
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) {
    const v = selectPath(event, path);
    if (v !== undefined) values.set(name, v);
  }
  const { detail: _detail, ...withoutDetail } = event;
  values.set('aws.events.rule-arn', rule.ruleArn);
  values.set('aws.events.rule-name', rule.ruleName);
  values.set('aws.events.event.ingestion-time', rule.ingestionTime);
  values.set('aws.events.event', new RawJson(JSON.stringify(withoutDetail)));
  values.set('aws.events.event.json', new RawJson(JSON.stringify(event)));

  const jsonMode = /^\s*[{[]/.test(template);
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '\\' && i + 1 < template.length) {
      out += c + template[i + 1];
      i++;
      continue;
    }
    if (c === '"') {
      inString = !inString;
      out += c;
      continue;
    }
    if (c === '<') {
      const end = template.indexOf('>', i);
      const name = end > i ? template.slice(i + 1, end) : '';
      if (/^[A-Za-z0-9_.\-]+$/.test(name) && (values.has(name) || Object.prototype.hasOwnProperty.call(transformer.InputPathsMap ?? {}, name))) {
        out += placeholderText(values.get(name), jsonMode && !inString, inString);
        i = end;
        continue;
      }
    }
    out += c;
  }
  return out;
}

class RawJson {
  constructor(readonly text: string) {}
}

function placeholderText(value: unknown, asJsonValue: boolean, inString: boolean): string {
  if (value instanceof RawJson) return value.text;
  if (value === undefined) return asJsonValue ? 'null' : '';
  if (asJsonValue) return JSON.stringify(value);
  if (typeof value === 'string') return value;
  const json = JSON.stringify(value);
  return inString && typeof value === 'object' && value !== null ? json.replace(/"/g, '') : json;
}

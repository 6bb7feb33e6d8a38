/**
 * API Gateway's mapping-template flavour of Velocity: `$input`, `$util`, `$context`,
 * `$stageVariables`, `$method`, rendered with velocityjs (loaded lazily). Undefined references
 * render as nothing, as in API Gateway.
 */
import { evaluateJsonPath } from './jsonpath.js';

export interface TemplateParams {
  path: Record<string, string>;
  querystring: Record<string, string>;
  header: Record<string, string>;
}

export interface TemplateInput {
  /** The payload: the method request body (request templates) or the integration response body (response templates). */
  body: string;
  params: TemplateParams;
  context: Record<string, any>;
  stageVariables: Record<string, string>;
}

export async function renderTemplate(template: string, input: TemplateInput): Promise<string> {
  const { Compile, parse } = await import('velocityjs');
  const context = {
    input: inputObject(input),
    util: util,
    context: input.context,
    stageVariables: input.stageVariables,
  };
  return new Compile(parse(template)).render(context, undefined, true);
}

function inputObject(input: TemplateInput) {
  const parsed = () => {
    try {
      return JSON.parse(input.body || '{}');
    } catch {
      return undefined;
    }
  };
  return {
    body: input.body,
    json: (path: string) => {
      const value = evaluateJsonPath(parsed(), path);
      return value === undefined ? '' : JSON.stringify(value);
    },
    path: (path: string) => evaluateJsonPath(parsed(), path),
    params: (name?: string) => {
      if (name === undefined) return input.params;
      // API Gateway looks the name up in path, then query string, then headers.
      return input.params.path[name] ?? input.params.querystring[name] ?? caseInsensitive(input.params.header, name) ?? '';
    },
  };
}

function caseInsensitive(map: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(map)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** `$util` as API Gateway documents it. */
export const util = {
  /** Java-style escaping: quotes (both kinds), backslash, control characters. Like AWS, `'` becomes `\'`. */
  escapeJavaScript(text: unknown): string {
    return String(text ?? '').replace(/[\\"'\n\r\t\b\f/]/g, (ch) => {
      switch (ch) {
        case '\n':
          return '\\n';
        case '\r':
          return '\\r';
        case '\t':
          return '\\t';
        case '\b':
          return '\\b';
        case '\f':
          return '\\f';
        default:
          return `\\${ch}`;
      }
    });
  },
  parseJson(text: string): unknown {
    return JSON.parse(text);
  },
  /** java.net.URLEncoder (UTF-8): space → `+`, only `A-Za-z0-9.-*_` left as they are. */
  urlEncode(text: unknown): string {
    return encodeURIComponent(String(text ?? ''))
      .replace(/[!'()~]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
      .replace(/%20/g, '+');
  },
  urlDecode(text: unknown): string {
    return decodeURIComponent(String(text ?? '').replace(/\+/g, ' '));
  },
  base64Encode(text: unknown): string {
    return Buffer.from(String(text ?? ''), 'utf8').toString('base64');
  },
  base64Decode(text: unknown): string {
    return Buffer.from(String(text ?? ''), 'base64').toString('utf8');
  },
};

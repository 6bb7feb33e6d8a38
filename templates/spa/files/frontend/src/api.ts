// The items API as the browser calls it. No DOM and no framework: it runs in the browser, in
// node (the tests) and in the patterns built on this one (same origin through /api, or with a
// signed-in user's token).
import { type Assignment, EXPERIMENT_HEADER, EXPERIMENT_METRICS, formatExperimentHeader, parseExperimentCookies } from '../../src/sprout/experiments/conversions.js';

/** An item as the backend-api functions return it. */
export interface Item {
  id: string;
  name: string;
  description?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface ItemPage {
  items: Item[];
  /** Present when there may be more: pass it back as `cursor` for the next page. */
  nextCursor?: string;
}

export interface NewItem {
  name: string;
  description?: string;
}

/** What `POST /conversions` recorded: one count of `metric` per experiment variant. */
export interface ConversionResult {
  metric: string;
  recorded: Assignment[];
}

/** A non-2xx answer, with the API's `{ "error": { code, message } }` when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Returns the token to send (or nothing, to send no Authorization header). */
export type TokenGetter = () => string | undefined | Promise<string | undefined>;

export interface ItemsClientOptions {
  /** The API's base URL (the stage URL, a custom domain, or a path such as `/api` on the same origin). */
  baseUrl: string;
  /** For APIs behind an authorizer: called before every request. */
  getToken?: TokenGetter;
  /** How the token is sent: `Authorization: <scheme> <token>`; '' sends the bare token. Default 'Bearer'. */
  authScheme?: string;
  /** Defaults to the global fetch; tests pass a fake. */
  fetch?: typeof fetch;
  /** The page's cookies, where the edge router's `sprout-x-<experiment>` cookies are. Defaults to `document.cookie`; tests pass a string. */
  cookies?: () => string;
  /**
   * Where recordConversion remembers the conversions it reported, so that a viewer converts once
   * per variant and metric (the router counts each viewer's exposure once too). Defaults to
   * `localStorage` in a browser; without one, every call counts.
   */
  conversionStore?: ConversionStore;
}

/** The part of the Web Storage API (`localStorage`) recordConversion uses. */
export interface ConversionStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}
/** How many reported assignments a metric's record keeps (the newest). */
const CONVERSIONS_REMEMBERED = 50;

export class ItemsClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ItemsClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** One page, newest first. */
  list(page: { limit?: number; cursor?: string } = {}): Promise<ItemPage> {
    const query = new URLSearchParams();
    if (page.limit !== undefined) query.set('limit', String(page.limit));
    if (page.cursor) query.set('cursor', page.cursor);
    const search = query.size ? `?${query}` : '';
    return this.request<ItemPage>('GET', `/items${search}`);
  }

  get(id: string): Promise<Item> {
    return this.request<Item>('GET', `/items/${encodeURIComponent(id)}`);
  }

  /**
   * Creates an item. The idempotency key makes a retried request (a double click, a flaky
   * network) return the first item instead of creating a second one.
   */
  create(item: NewItem, idempotencyKey: string = crypto.randomUUID()): Promise<Item> {
    return this.request<Item>('POST', '/items', item, { 'Idempotency-Key': idempotencyKey });
  }

  /** Replaces name and description; with `version`, only if nobody changed the item since. */
  update(id: string, item: NewItem & { version?: number }): Promise<Item> {
    return this.request<Item>('PUT', `/items/${encodeURIComponent(id)}`, item);
  }

  async delete(id: string): Promise<void> {
    await this.request<void>('DELETE', `/items/${encodeURIComponent(id)}`);
  }

  /**
   * Reports a conversion (`metric`, default `conversion`: an A/B experiment's primary metric) for
   * the experiment variants this viewer is in. The edge router gives an exposed viewer a
   * `sprout-x-<experiment>=<variant>` cookie; this sends them to `POST /conversions` in the
   * `x-sprout-experiment` header, as the router would. Without such a cookie (no experiment, or
   * no router) it sends nothing and records nothing. A variant this browser already converted in
   * for `metric` is left out (see `conversionStore`), unless `repeat` is set.
   */
  async recordConversion(metric?: string, options: { repeat?: boolean } = {}): Promise<ConversionResult> {
    const name = metric ?? EXPERIMENT_METRICS.defaultMetric;
    const store = options.repeat ? undefined : (this.options.conversionStore ?? pageStorage());
    const key = `sprout-converted:${name}`;
    const reported = readList(store, key);
    const assignments = parseExperimentCookies(this.options.cookies ? this.options.cookies() : pageCookies()).filter(
      ({ experiment, variant }) => !reported.includes(`${experiment}=${variant}`),
    );
    if (!assignments.length) return { metric: name, recorded: [] };
    const result = await this.request<ConversionResult>('POST', '/conversions', metric === undefined ? {} : { metric }, {
      [EXPERIMENT_HEADER]: formatExperimentHeader(assignments),
    });
    const recorded = Array.isArray(result?.recorded) ? result.recorded.map(({ experiment, variant }) => `${experiment}=${variant}`) : [];
    if (store && recorded.length) writeList(store, key, [...reported, ...recorded].slice(-CONVERSIONS_REMEMBERED));
    return result;
  }

  private async request<T>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', ...extraHeaders };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const token = await this.options.getToken?.();
    if (token) {
      const scheme = this.options.authScheme ?? 'Bearer';
      headers.Authorization = scheme ? `${scheme} ${token}` : token;
    }
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      // A CORS refusal and an unreachable API look the same from here: a TypeError, no status.
      throw new ApiError(0, 'NETWORK_ERROR', `Could not reach the API (${(error as Error).message})`);
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    const parsed = text ? safeJson(text) : undefined;
    if (!response.ok) {
      const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      throw new ApiError(
        response.status,
        typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`,
        typeof error?.message === 'string' ? error.message : `${method} ${path} failed with status ${response.status}`,
      );
    }
    if (parsed === undefined) throw new ApiError(response.status, 'INVALID_RESPONSE', `${method} ${path} did not return JSON`);
    return parsed as T;
  }
}

/** `localStorage` in a browser (when the page may use it); nothing elsewhere. */
function pageStorage(): ConversionStore | undefined {
  try {
    return (globalThis as { localStorage?: ConversionStore }).localStorage;
  } catch {
    return undefined;
  }
}

function readList(store: ConversionStore | undefined, key: string): string[] {
  try {
    const list: unknown = JSON.parse(store?.getItem(key) ?? '[]');
    return Array.isArray(list) ? list.filter((entry): entry is string => typeof entry === 'string') : [];
  } catch {
    return [];
  }
}

function writeList(store: ConversionStore, key: string, list: string[]): void {
  try {
    store.setItem(key, JSON.stringify(list));
  } catch {
    // Storage full or refused (private browsing): the next conversion counts again.
  }
}

/** `document.cookie` in a browser; nothing elsewhere (node, the tests). */
function pageCookies(): string {
  const cookie = (globalThis as { document?: { cookie?: unknown } }).document?.cookie;
  return typeof cookie === 'string' ? cookie : '';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

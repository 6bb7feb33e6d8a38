// Copied from sprout's src/runtime/experiments by `npm run sync:runtime`: edit it there, not in a project.

/**
 * Conversions of A/B experiments. The edge router puts a viewer under a running experiment into
 * one variant: it forwards `x-sprout-experiment: <experiment>=<variant>` to the origin and gives
 * the viewer a `sprout-x-<experiment>=<variant>` cookie the page can read. It counts exposures
 * itself (namespace Sprout/Edge); this module counts conversions, which only the application
 * knows about: one CloudWatch count per assignment, in the namespace and with exactly the
 * dimensions `sprout experiment results` reads.
 *
 * Plain TypeScript without imports: it runs in Lambda handlers and in the browser bundle (the
 * frontend builds its copy of the header from the cookies with it). Everything that reads a
 * viewer's input ignores what is not valid and never throws.
 */

/** The request header the router sets (and the frontend copies from the cookies): `<experiment>=<variant>`, several joined by `, `. */
export const EXPERIMENT_HEADER = 'x-sprout-experiment';
/** The cookie `sprout-x-<experiment>=<variant>` the router gives an exposed viewer (not HttpOnly: the page reads it). */
export const EXPERIMENT_COOKIE_PREFIX = 'sprout-x-';
/** An experiment's or a variant's name: also part of a cookie name and a metric dimension. */
export const EXPERIMENT_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
/** A conversion metric's name (an experiment's primary metric): the same rule. */
export const METRIC_NAME = EXPERIMENT_NAME;
/** A sprout stage name (as infra/sprout/context-values.ts checks it). */
export const STAGE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * What `sprout experiment results` queries: namespace, the one dimension set (CloudWatch tells
 * metrics apart by their exact set of dimensions: one more, such as Powertools' `service`, and
 * the query finds nothing), and the metric name when the experiment names no other.
 */
export const EXPERIMENT_METRICS = {
  namespace: 'Sprout/Experiments',
  dimensions: { stage: 'Stage', experiment: 'Experiment', variant: 'Variant' },
  defaultMetric: 'conversion',
  unit: 'Count',
} as const;

/**
 * At most this many assignments are read from one request (a viewer is rarely in more than a few
 * experiments at once): a forged header cannot turn one request into many metrics.
 */
export const MAX_ASSIGNMENTS = 10;
/** Entries looked at in one header or cookie string, valid or not. */
const MAX_ENTRIES = 50;

export interface Assignment {
  experiment: string;
  variant: string;
}

export const isExperimentName = (value: unknown): value is string => typeof value === 'string' && EXPERIMENT_NAME.test(value);
export const isMetricName = (value: unknown): value is string => typeof value === 'string' && METRIC_NAME.test(value);

/**
 * Merges assignments from several sources (header values, cookies): invalid names are dropped, a
 * repeated assignment counts once, and an experiment given two different variants is dropped
 * altogether (the conversion cannot be attributed). At most MAX_ASSIGNMENTS, in order of appearance.
 */
export function mergeAssignments(...lists: ReadonlyArray<readonly Assignment[]>): Assignment[] {
  const variants = new Map<string, string | null>();
  for (const list of lists) {
    for (const { experiment, variant } of list) {
      if (!isExperimentName(experiment) || !isExperimentName(variant)) continue;
      const known = variants.get(experiment);
      if (known === undefined) variants.set(experiment, variant);
      else if (known !== variant) variants.set(experiment, null);
    }
  }
  const merged: Assignment[] = [];
  for (const [experiment, variant] of variants) {
    if (variant !== null) merged.push({ experiment, variant });
  }
  return merged.slice(0, MAX_ASSIGNMENTS);
}

/**
 * The assignments in `x-sprout-experiment` header values: `checkout=b`, several separated by
 * commas (as HTTP joins repeated headers) or semicolons, spaces ignored. Anything else is skipped.
 */
export function parseExperimentHeader(...values: Array<string | readonly string[] | null | undefined>): Assignment[] {
  const found: Assignment[] = [];
  for (const value of values.flat()) {
    if (typeof value !== 'string') continue;
    for (const entry of value.split(/[,;]/, MAX_ENTRIES)) {
      const match = /^\s*([^=\s]+)\s*=\s*([^=\s]+)\s*$/.exec(entry);
      if (match) found.push({ experiment: match[1]!, variant: match[2]! });
    }
  }
  return mergeAssignments(found);
}

/** The assignments in a cookie string (`document.cookie`, or a request's Cookie header): the `sprout-x-<experiment>=<variant>` cookies. */
export function parseExperimentCookies(cookies: string | null | undefined): Assignment[] {
  if (typeof cookies !== 'string') return [];
  const found: Assignment[] = [];
  for (const pair of cookies.split(';', MAX_ENTRIES)) {
    const at = pair.indexOf('=');
    if (at < 0) continue;
    const name = pair.slice(0, at).trim();
    if (!name.startsWith(EXPERIMENT_COOKIE_PREFIX)) continue;
    found.push({ experiment: name.slice(EXPERIMENT_COOKIE_PREFIX.length), variant: pair.slice(at + 1).trim() });
  }
  return mergeAssignments(found);
}

/** The header value for `assignments` (what the frontend sends): `checkout=b, banner=control`. */
export function formatExperimentHeader(assignments: readonly Assignment[]): string {
  return mergeAssignments(assignments)
    .map(({ experiment, variant }) => `${experiment}=${variant}`)
    .join(', ');
}

/** Request headers as Lambda integrations give them: a name (in any case) to a value, or to every value. */
type HeaderMap = Record<string, string | undefined> | null | undefined;
type MultiValueHeaderMap = Record<string, string[] | undefined> | null | undefined;

function valuesOf(name: string, headers: HeaderMap, multiValueHeaders: MultiValueHeaderMap): string[] {
  const values: string[] = [];
  for (const [key, list] of Object.entries(multiValueHeaders ?? {})) {
    if (key.toLowerCase() === name && Array.isArray(list)) values.push(...list.filter((v): v is string => typeof v === 'string'));
  }
  // API Gateway's `headers` holds the last of the multi-value ones: read it only without those.
  if (values.length) return values;
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === name && typeof value === 'string') values.push(value);
  }
  return values;
}

/**
 * The assignments of a request: its `x-sprout-experiment` header (set by the router when the API
 * is behind it, or copied by the frontend from its cookies) and its `sprout-x-*` cookies (which
 * reach an API on the site's own origin). Pass API Gateway's `event.headers` and, when there is
 * one, `event.multiValueHeaders`.
 */
export function assignmentsOfRequest(headers: HeaderMap, multiValueHeaders?: MultiValueHeaderMap): Assignment[] {
  return mergeAssignments(
    parseExperimentHeader(valuesOf(EXPERIMENT_HEADER, headers, multiValueHeaders)),
    parseExperimentCookies(valuesOf('cookie', headers, multiValueHeaders).join('; ')),
  );
}

/**
 * The part of Powertools' `Metrics` (@aws-lambda-powertools/metrics) this module uses. Pass a
 * `Metrics` created for the experiments' namespace, not the handler's own (whose namespace is the
 * project's): `new Metrics({ namespace: EXPERIMENT_METRICS.namespace })`.
 */
export interface ExperimentMetrics {
  singleMetric(): SingleMetric;
}

/** A Powertools single metric: published as one EMF document as soon as its metric is added. */
export interface SingleMetric {
  clearDefaultDimensions(): void;
  addDimension(name: string, value: string): unknown;
  addMetric(name: string, unit: typeof EXPERIMENT_METRICS.unit, value: number): unknown;
}

export interface Conversion {
  /** The stage the application runs in (the Stage dimension). */
  stage: string;
  /** The experiment's primary metric. Default `conversion`. */
  metric?: string;
  /** Whom to credit: one count per assignment (from assignmentsOfRequest, for example). */
  assignments: readonly Assignment[];
}

/**
 * Records one conversion for each assignment: a count of 1 named after the metric, in namespace
 * Sprout/Experiments with exactly the dimensions Stage, Experiment and Variant. Each is its own
 * Powertools single metric, published at once, from which the default dimensions (Powertools
 * always adds `service`) are removed. Returns what it recorded (nothing without assignments).
 * Throws on an invalid stage or metric name (check a metric that comes from a request with
 * isMetricName first); invalid assignments are skipped.
 */
export function recordConversion(metrics: ExperimentMetrics, conversion: Conversion): Assignment[] {
  const { stage, metric = EXPERIMENT_METRICS.defaultMetric } = conversion;
  if (!STAGE_NAME.test(stage)) throw new RangeError(`recordConversion: invalid stage ${JSON.stringify(stage)}`);
  if (!isMetricName(metric)) throw new RangeError(`recordConversion: invalid metric name ${JSON.stringify(metric)} (lower-case letters, digits and -, at most 40)`);
  const assignments = mergeAssignments(conversion.assignments);
  const { dimensions } = EXPERIMENT_METRICS;
  for (const { experiment, variant } of assignments) {
    const single = metrics.singleMetric();
    single.clearDefaultDimensions();
    single.addDimension(dimensions.stage, stage);
    single.addDimension(dimensions.experiment, experiment);
    single.addDimension(dimensions.variant, variant);
    single.addMetric(metric, EXPERIMENT_METRICS.unit, 1);
  }
  return assignments;
}

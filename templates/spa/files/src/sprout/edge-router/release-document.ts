// Copied from sprout's src/runtime/edge-router by `npm run sync:runtime`: edit it there, not in a project.

/**
 * The release document: one JSON object per stage that says which release of the site every viewer
 * gets. The sprout CLI writes it (only by conditional writes); the edge router reads it. This module
 * is the one definition of its shape and its validation, shared by both. Plain TypeScript, no
 * dependency: it is bundled into the Lambda@Edge function.
 */

/**
 * Schema 2 adds experiments. A document is written as schema 1 while it has none, so a router
 * deployed before experiments existed keeps reading it; with experiments, the stage's router must
 * be one that reads schema 2 (`sprout deploy` installs it).
 */
export const RELEASE_SCHEMA = 2;
export const SCHEMAS_READ = [1, 2] as const;
/** Weights are in basis points: 10,000 buckets, so a step of 0.01% is possible. */
export const BASIS_POINTS = 10_000;
/** A release id: `r-` and 12 hex digits of the content's hash (`sprout release create`); also a safe S3 key segment. */
export const RELEASE_ID = /^r-[0-9a-f]{12}$/;
/** The object prefix in the site bucket under which every release's files live. */
export const RELEASES_PREFIX = 'releases/';
/** The request header carrying the chosen release: the cache policies key on it. */
export const RELEASE_HEADER = 'x-sprout-release';
/**
 * The request header naming the experiment and variant a viewer is in, `<experiment>=<variant>`:
 * the cache policies key on it (two variants never share a cached object) and origins read it
 * (a backend records a conversion with it).
 */
export const EXPERIMENT_HEADER = 'x-sprout-experiment';
/** The cookie `sprout-x-<experiment>=<variant>` the router gives an exposed viewer: readable by the page, so it can report conversions. */
export const EXPERIMENT_COOKIE_PREFIX = 'sprout-x-';
/** An experiment's or a variant's name: also part of a cookie name and a metric dimension. */
export const EXPERIMENT_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
/** `<experiment>=<variant>`: the value of EXPERIMENT_HEADER and of the router's new-exposure marker. */
export function formatAssignment(experiment: string, variant: string): string {
  return `${experiment}=${variant}`;
}

/** The experiment and variant of an assignment, or undefined unless it is exactly two valid names. */
export function parseAssignment(value: string | undefined): { experiment: string; variant: string } | undefined {
  const [experiment, variant, ...rest] = (value ?? '').split('=');
  return rest.length === 0 && EXPERIMENT_NAME.test(experiment ?? '') && EXPERIMENT_NAME.test(variant ?? '') ? { experiment: experiment!, variant: variant! } : undefined;
}
/** The header value for "the site as `sprout deploy` uploaded it" (no release registered as stable). */
export const DEPLOYED_SITE = 'deployed';
/** How many history entries the document keeps (it is read at the edge every few seconds: it stays small). */
export const HISTORY_KEPT = 200;

export const ROLLOUT_STATES = ['running', 'paused', 'aborted', 'complete'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

export interface ReleaseEntry {
  id: string;
  createdAt: string;
  createdBy: string;
  files: number;
  bytes: number;
  /** Where an API variant is served from instead of the site bucket: an origin domain name. */
  origin?: string;
}

export interface Gates {
  /** The candidate's share of 5xx answers from the origin that fails the gate (0.01 = 1%). */
  maxErrorRate: number;
  /** Candidate requests needed before the error rate is judged; fewer leaves the verdict inconclusive. */
  minRequests: number;
  /** CloudWatch alarms that must be OK. */
  alarms: string[];
}

export interface Rollout {
  candidate: string;
  /** Part of the hash: a new rollout reshuffles who goes first, one rollout never does. */
  salt: string;
  state: RolloutState;
  /** Candidate weights in percent, ascending, the last one 100. */
  steps: number[];
  /** Index into steps of the weight now in force. */
  step: number;
  startedAt: string;
  stepStartedAt: string;
  /** Time per step when a watcher drives the plan. */
  intervalSeconds: number;
  gates: Gates;
  /** Why the rollout is paused or aborted (the metric, its value and window), for people. */
  reason?: string;
}

export interface HistoryEntry {
  at: string;
  actor: string;
  action: string;
  /** The candidate's weight in percent after the change (absent when no rollout is involved). */
  weight?: number;
  detail?: string;
}

export const EXPERIMENT_STATES = ['running', 'stopped'] as const;
export type ExperimentState = (typeof EXPERIMENT_STATES)[number];
/** A variant target that means "whatever the router serves this viewer without the experiment" (the stable release, or a rollout's pick). */
export const STABLE_TARGET = 'stable';

export interface ExperimentVariant {
  name: string;
  /** A release id, STABLE_TARGET, or an origin's domain name (an API variant). */
  target: string;
  /** Percent of the experiment's viewers, at most two decimals; the variants add up to 100. */
  weight: number;
}

export interface Experiment {
  name: string;
  /** Path patterns: `/*` (the whole site), `/checkout/*` (the folder and everything under it) or `/pricing` (exactly). */
  paths: string[];
  /** The first is the control. */
  variants: ExperimentVariant[];
  /** Fixed for the experiment's life, and independent of any rollout's: assignment never reshuffles while it runs. */
  salt: string;
  /** The primary metric's name, as the backend records conversions. */
  metric: string;
  /** Exposures each variant needs before a winner may be called. */
  minSample: number;
  state: ExperimentState;
  startedAt: string;
  stoppedAt?: string;
  /** The variant chosen when it was stopped. */
  winner?: string;
  /** A stopped experiment still sending every viewer on its paths to the winner (until another experiment takes the paths). */
  pinned?: boolean;
}

export interface ReleaseDocument {
  schema: (typeof SCHEMAS_READ)[number];
  stage: string;
  /** Increases by one with every write. */
  revision: number;
  /** null: the site as `sprout deploy` uploaded it. */
  stable: string | null;
  releases: ReleaseEntry[];
  rollout: Rollout | null;
  history: HistoryEntry[];
  /** Schema 2 only. */
  experiments?: Experiment[];
}

export function emptyReleaseDocument(stage: string): ReleaseDocument {
  return { schema: 1, stage, revision: 0, stable: null, releases: [], rollout: null, history: [] };
}

/** What the router needs of an experiment: its paths, and the variants' cumulative weights in basis points. */
export interface ExperimentRouting {
  name: string;
  paths: string[];
  salt: string;
  /** Ascending upper bounds: a viewer in bucket b gets the first variant whose `upTo` is above b. */
  variants: Array<{ name: string; target: string; upTo: number }>;
  /** The winner's name, when a stopped experiment pins its paths to it. */
  pinned?: string;
}

/** What the router needs of a document: who is stable, who is the candidate and at which weight. */
export interface Routing {
  stable: string | null;
  candidate: string | null;
  /** The candidate's weight in basis points (0 when there is no live rollout). */
  candidateWeight: number;
  salt: string;
  /** Running experiments and stopped ones that pin their paths to a winner. */
  experiments: ExperimentRouting[];
}

/** A running or paused rollout keeps its weight (pausing stops the plan, not the traffic); an aborted one drops to 0. */
export function routingOf(document: ReleaseDocument): Routing {
  const rollout = document.rollout;
  const live = rollout && (rollout.state === 'running' || rollout.state === 'paused');
  return {
    stable: document.stable,
    candidate: live ? rollout.candidate : null,
    candidateWeight: live ? Math.round((rollout.steps[rollout.step] ?? 0) * 100) : 0,
    salt: rollout?.salt ?? '',
    experiments: (document.experiments ?? []).filter((e) => e.state === 'running' || (e.pinned && e.winner)).map(experimentRouting),
  };
}

function experimentRouting(experiment: Experiment): ExperimentRouting {
  let upTo = 0;
  const variants = experiment.variants.map((v) => ({ name: v.name, target: v.target, upTo: (upTo += Math.round(v.weight * 100)) }));
  return { name: experiment.name, paths: experiment.paths, salt: experiment.salt, variants, ...(experiment.state === 'stopped' && experiment.winner ? { pinned: experiment.winner } : {}) };
}

/** Whether a path pattern (`/*`, `/checkout/*`, `/pricing`) covers a request's URI. */
export function pathMatches(pattern: string, uri: string): boolean {
  if (!pattern.endsWith('/*')) return uri === pattern;
  const folder = pattern.slice(0, -1);
  return uri.startsWith(folder) || uri === folder.slice(0, -1);
}

/** Whether two patterns can cover the same URI (two experiments must not). */
export function pathsOverlap(a: string, b: string): boolean {
  if (a.endsWith('/*') && pathMatches(a, b.endsWith('/*') ? b.slice(0, -2) || '/' : b)) return true;
  if (b.endsWith('/*') && pathMatches(b, a.endsWith('/*') ? a.slice(0, -2) || '/' : a)) return true;
  return a === b;
}

/** A valid path pattern: starts with "/", no "//", and a "*" only as a last segment of its own. */
export function isPathPattern(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 256 || !value.startsWith('/')) return false;
  const body = value.endsWith('/*') ? value.slice(0, -1) : value;
  return /^\/[A-Za-z0-9._~!$&'()+,;=:@%/-]*$/.test(body) && !body.includes('//');
}

/** The candidate's weight in percent now (0 without a live rollout). */
export function candidateWeightPercent(document: ReleaseDocument): number {
  return routingOf(document).candidateWeight / 100;
}

/** Every problem with `value` as a release document; an empty list means it is valid. */
export function validateReleaseDocument(value: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(value)) return ['the release document must be a JSON object'];
  if (!SCHEMAS_READ.includes(value.schema as 1)) problems.push(`schema must be one of ${SCHEMAS_READ.join(', ')} (found ${JSON.stringify(value.schema)}): this sprout or router may be older than the document`);
  if (typeof value.stage !== 'string' || value.stage === '') problems.push('stage must be a non-empty string');
  if (!Number.isInteger(value.revision) || (value.revision as number) < 0) problems.push('revision must be a whole number ≥ 0');
  if (value.stable !== null && !isReleaseId(value.stable)) problems.push(`stable must be a release id or null (found ${JSON.stringify(value.stable)})`);
  const ids = new Set<string>();
  if (!Array.isArray(value.releases)) problems.push('releases must be a list');
  else
    value.releases.forEach((release, i) => {
      if (!isObject(release) || !isReleaseId(release.id)) return problems.push(`releases[${i}].id must be a release id`);
      if (ids.has(release.id)) problems.push(`releases[${i}]: ${release.id} is listed twice`);
      ids.add(release.id);
      if (typeof release.createdAt !== 'string' || typeof release.createdBy !== 'string') problems.push(`releases[${i}] needs createdAt and createdBy`);
      if (!isCount(release.files) || !isCount(release.bytes)) problems.push(`releases[${i}].files and .bytes must be whole numbers ≥ 0`);
      if (release.origin !== undefined && !isHostName(release.origin)) problems.push(`releases[${i}].origin must be a domain name`);
      return undefined;
    });
  if (isReleaseId(value.stable) && Array.isArray(value.releases) && !ids.has(value.stable)) problems.push(`stable ${value.stable} is not among the releases`);
  if (value.rollout !== null) problems.push(...rolloutProblems(value.rollout, ids));
  if (value.experiments !== undefined) {
    if (value.schema === 1) problems.push('experiments need schema 2');
    problems.push(...experimentsProblems(value.experiments, ids));
  }
  if (!Array.isArray(value.history)) problems.push('history must be a list');
  else if (value.history.some((h) => !isObject(h) || typeof h.at !== 'string' || typeof h.actor !== 'string' || typeof h.action !== 'string')) {
    problems.push('every history entry needs at, actor and action');
  }
  return problems;
}

function rolloutProblems(rollout: unknown, ids: Set<string>): string[] {
  if (!isObject(rollout)) return ['rollout must be an object or null'];
  const problems: string[] = [];
  if (!isReleaseId(rollout.candidate)) problems.push('rollout.candidate must be a release id');
  else if (!ids.has(rollout.candidate)) problems.push(`rollout.candidate ${rollout.candidate} is not among the releases`);
  if (typeof rollout.salt !== 'string' || rollout.salt === '') problems.push('rollout.salt must be a non-empty string');
  if (!ROLLOUT_STATES.includes(rollout.state as RolloutState)) problems.push(`rollout.state must be one of ${ROLLOUT_STATES.join(', ')}`);
  const steps = rollout.steps;
  if (!Array.isArray(steps) || steps.length === 0) problems.push('rollout.steps must be a non-empty list');
  else {
    const stepProblem = stepsProblem(steps);
    if (stepProblem) problems.push(`rollout.steps: ${stepProblem}`);
    if (!Number.isInteger(rollout.step) || (rollout.step as number) < 0 || (rollout.step as number) >= steps.length) problems.push('rollout.step must point into rollout.steps');
  }
  if (typeof rollout.startedAt !== 'string' || typeof rollout.stepStartedAt !== 'string') problems.push('rollout needs startedAt and stepStartedAt');
  if (!isCount(rollout.intervalSeconds)) problems.push('rollout.intervalSeconds must be a whole number ≥ 0');
  const gates = rollout.gates;
  if (!isObject(gates)) problems.push('rollout.gates must be an object');
  else {
    if (typeof gates.maxErrorRate !== 'number' || !(gates.maxErrorRate >= 0 && gates.maxErrorRate <= 1)) problems.push('rollout.gates.maxErrorRate must be between 0 and 1');
    if (!isCount(gates.minRequests)) problems.push('rollout.gates.minRequests must be a whole number ≥ 0');
    if (!Array.isArray(gates.alarms) || gates.alarms.some((a) => typeof a !== 'string' || a === '')) problems.push('rollout.gates.alarms must be a list of alarm names');
  }
  return problems;
}

function experimentsProblems(experiments: unknown, ids: Set<string>): string[] {
  if (!Array.isArray(experiments)) return ['experiments must be a list'];
  const problems: string[] = [];
  const names = new Set<string>();
  const live: Array<{ name: string; paths: string[] }> = [];
  experiments.forEach((experiment, i) => {
    const at = `experiments[${i}]`;
    if (!isObject(experiment)) return problems.push(`${at} must be an object`);
    if (!isName(experiment.name)) return problems.push(`${at}.name must match ${EXPERIMENT_NAME}`);
    if (names.has(experiment.name)) problems.push(`${at}: ${experiment.name} is listed twice`);
    names.add(experiment.name);
    const paths = experiment.paths;
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every(isPathPattern)) problems.push(`${at}.paths must be a non-empty list of path patterns such as /* or /checkout/*`);
    const variants = experiment.variants;
    if (!Array.isArray(variants) || variants.length < 2 || variants.length > 10) problems.push(`${at}.variants must list 2 to 10 variants`);
    else {
      const variantProblem = variantsProblem(variants, ids);
      if (variantProblem) problems.push(`${at}.variants: ${variantProblem}`);
    }
    if (typeof experiment.salt !== 'string' || experiment.salt === '') problems.push(`${at}.salt must be a non-empty string`);
    if (!isName(experiment.metric)) problems.push(`${at}.metric must match ${EXPERIMENT_NAME}`);
    if (!isCount(experiment.minSample)) problems.push(`${at}.minSample must be a whole number ≥ 0`);
    if (!EXPERIMENT_STATES.includes(experiment.state as ExperimentState)) problems.push(`${at}.state must be one of ${EXPERIMENT_STATES.join(', ')}`);
    if (typeof experiment.startedAt !== 'string') problems.push(`${at} needs startedAt`);
    if (experiment.winner !== undefined && !(Array.isArray(variants) && variants.some((v) => isObject(v) && v.name === experiment.winner))) problems.push(`${at}.winner must be one of its variants`);
    if ((experiment.state === 'running' || experiment.pinned) && Array.isArray(paths)) {
      for (const other of live) {
        if (paths.some((p) => other.paths.some((q) => typeof p === 'string' && pathsOverlap(p, q)))) problems.push(`${at}: its paths overlap those of ${other.name}`);
      }
      live.push({ name: experiment.name, paths: paths.filter((p): p is string => typeof p === 'string') });
    }
    return undefined;
  });
  return problems;
}

/** Why a list of variants is not valid, or undefined: unique names, known targets, weights adding up to 100. */
export function variantsProblem(variants: unknown[], releaseIds: Set<string>): string | undefined {
  const names = new Set<string>();
  let total = 0;
  for (const variant of variants) {
    if (!isObject(variant) || !isName(variant.name)) return `every variant needs a name matching ${EXPERIMENT_NAME}`;
    if (names.has(variant.name)) return `${variant.name} is listed twice`;
    names.add(variant.name);
    const target = variant.target;
    if (!(target === STABLE_TARGET || (isReleaseId(target) && releaseIds.has(target)) || (!isReleaseId(target) && isHostName(target)))) {
      return `${variant.name}'s target must be "${STABLE_TARGET}", a release of this stage or an origin's domain name (found ${JSON.stringify(target)})`;
    }
    const weight = variant.weight;
    if (typeof weight !== 'number' || !(weight > 0 && weight <= 100) || Math.round(weight * 100) !== weight * 100) return `${variant.name}'s weight must be a percentage above 0 with at most two decimals`;
    total += Math.round(weight * 100);
  }
  if (total !== BASIS_POINTS) return `the weights must add up to 100 (they add up to ${total / 100})`;
  return undefined;
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && EXPERIMENT_NAME.test(value);
}

/** Why a list of step weights is not a valid plan, or undefined: ascending percentages in (0, 100], ending at 100, at most two decimals. */
export function stepsProblem(steps: unknown[]): string | undefined {
  if (steps.length > 20) return 'at most 20 steps';
  for (const [i, step] of steps.entries()) {
    if (typeof step !== 'number' || !(step > 0 && step <= 100)) return `every step is a percentage above 0 and at most 100 (found ${JSON.stringify(step)})`;
    if (Math.round(step * 100) !== step * 100) return `a step has at most two decimals (found ${step})`;
    if (i > 0 && step <= (steps[i - 1] as number)) return `steps must rise (${steps[i - 1]} then ${step})`;
  }
  if (steps.at(-1) !== 100) return 'the last step must be 100';
  return undefined;
}

/** Parses and validates; throws an Error listing every problem. */
export function parseReleaseDocument(text: string): ReleaseDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`the release document is not JSON: ${(error as Error).message}`);
  }
  const problems = validateReleaseDocument(value);
  if (problems.length) throw new Error(`the release document is invalid:\n  ${problems.join('\n  ')}`);
  return value as ReleaseDocument;
}

export function isReleaseId(value: unknown): value is string {
  return typeof value === 'string' && RELEASE_ID.test(value);
}

function isHostName(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 253 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i.test(value);
}

function isCount(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

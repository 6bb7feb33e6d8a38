// Copied from sprout's src/runtime/edge-router by `npm run sync:runtime`: edit it there, not in a project.

/**
 * The release document: one JSON object per stage that says which release of the site every viewer
 * gets. The sprout CLI writes it (only by conditional writes); the edge router reads it. This module
 * is the one definition of its shape and its validation, shared by both. Plain TypeScript, no
 * dependency: it is bundled into the Lambda@Edge function.
 */

export const RELEASE_SCHEMA = 1;
/** Weights are in basis points: 10,000 buckets, so a step of 0.01% is possible. */
export const BASIS_POINTS = 10_000;
/** A release id: `r-` and 12 hex digits of the content's hash (`sprout release create`); also a safe S3 key segment. */
export const RELEASE_ID = /^r-[0-9a-f]{12}$/;
/** The object prefix in the site bucket under which every release's files live. */
export const RELEASES_PREFIX = 'releases/';
/** The request header carrying the chosen release: the cache policies key on it. */
export const RELEASE_HEADER = 'x-sprout-release';
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

export interface ReleaseDocument {
  schema: typeof RELEASE_SCHEMA;
  stage: string;
  /** Increases by one with every write. */
  revision: number;
  /** null: the site as `sprout deploy` uploaded it. */
  stable: string | null;
  releases: ReleaseEntry[];
  rollout: Rollout | null;
  history: HistoryEntry[];
}

export function emptyReleaseDocument(stage: string): ReleaseDocument {
  return { schema: RELEASE_SCHEMA, stage, revision: 0, stable: null, releases: [], rollout: null, history: [] };
}

/** What the router needs of a document: who is stable, who is the candidate and at which weight. */
export interface Routing {
  stable: string | null;
  candidate: string | null;
  /** The candidate's weight in basis points (0 when there is no live rollout). */
  candidateWeight: number;
  salt: string;
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
  };
}

/** The candidate's weight in percent now (0 without a live rollout). */
export function candidateWeightPercent(document: ReleaseDocument): number {
  return routingOf(document).candidateWeight / 100;
}

/** Every problem with `value` as a release document; an empty list means it is valid. */
export function validateReleaseDocument(value: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(value)) return ['the release document must be a JSON object'];
  if (value.schema !== RELEASE_SCHEMA) problems.push(`schema must be ${RELEASE_SCHEMA} (found ${JSON.stringify(value.schema)}): this sprout or router may be older than the document`);
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

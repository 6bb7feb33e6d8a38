/**
 * The one payload all three execution models process: a job with an id and an input that can ask
 * the function to fail or to be slow, so each model's failure behaviour can be watched once deployed
 * (only while the `simulated-failures` flag lets the functions obey; see src/lib/flags.ts).
 */

/** The three ways Lambda runs a function. */
export type Model = 'sync' | 'async' | 'stream';

/** Lambda's maximum function timeout: no request can usefully ask for a longer sleep. */
export const SLEEP_MAX_SECONDS = 900;
export const MESSAGE_MAX_LENGTH = 1000;
export const ID_MAX_LENGTH = 128;

export interface JobInput {
  /** Throw instead of finishing: the model's error path (502, retries then on-failure, batch item failure). */
  fail?: boolean;
  /** Wait this long first: past the function's timeout the invocation is killed ("Task timed out"). */
  sleepSeconds?: number;
  /** Anything, echoed in the result. */
  message?: string;
}

export interface Job {
  /** The idempotency key of the asynchronous and stream-based models: the same id is processed once. */
  id: string;
  input: JobInput;
}

export interface JobResult {
  id: string;
  model: Model;
  message: string | null;
  /** How long the function really waited (0 when the flag told it to ignore sleepSeconds). */
  sleptSeconds: number;
  /** The Lambda request that did the work; a replay of an already processed job returns the first one's. */
  processedBy: string;
  processedAt: string;
}

/** The input cannot be processed as it is: retrying it would fail the same way. */
export class InvalidJobError extends Error {
  override readonly name = 'InvalidJobError';
}

/** The failure a job asked for (`"fail": true`). */
export class SimulatedFailureError extends Error {
  override readonly name = 'SimulatedFailureError';
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks a job input as strictly as the API's JSON Schema model, for payloads that did not come through the API. */
export function parseJobInput(value: unknown): JobInput {
  if (!isObject(value)) throw new InvalidJobError('The job input must be a JSON object');
  const unknownFields = Object.keys(value).filter((key) => !['fail', 'sleepSeconds', 'message'].includes(key));
  if (unknownFields.length > 0) throw new InvalidJobError(`Unknown field(s): ${unknownFields.join(', ')}`);
  const input: JobInput = {};
  if (value.fail !== undefined) {
    if (typeof value.fail !== 'boolean') throw new InvalidJobError('"fail" must be true or false');
    input.fail = value.fail;
  }
  if (value.sleepSeconds !== undefined) {
    const sleep = value.sleepSeconds;
    if (typeof sleep !== 'number' || !Number.isFinite(sleep) || sleep < 0 || sleep > SLEEP_MAX_SECONDS) {
      throw new InvalidJobError(`"sleepSeconds" must be a number from 0 to ${SLEEP_MAX_SECONDS}`);
    }
    input.sleepSeconds = sleep;
  }
  if (value.message !== undefined) {
    if (typeof value.message !== 'string' || value.message.length > MESSAGE_MAX_LENGTH) {
      throw new InvalidJobError(`"message" must be a string of at most ${MESSAGE_MAX_LENGTH} characters`);
    }
    input.message = value.message;
  }
  return input;
}

/** `{ "id": "...", "input": { ... } }`, as the API's mapping templates and the README's CLI commands send it. */
export function parseJob(value: unknown): Job {
  if (!isObject(value)) throw new InvalidJobError('The job must be a JSON object { "id", "input" }');
  const { id, input } = value;
  if (typeof id !== 'string' || id.length < 1 || id.length > ID_MAX_LENGTH) {
    throw new InvalidJobError(`"id" must be a string of 1 to ${ID_MAX_LENGTH} characters`);
  }
  return { id, input: parseJobInput(input ?? {}) };
}

/** A job in text form (an SQS body, decoded Kinesis data). */
export function parseJobText(text: string): Job {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidJobError('The job is not valid JSON');
  }
  return parseJob(value);
}

export const sleep = (seconds: number) => new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000));

export interface RunOptions {
  model: Model;
  /** Whether to obey `fail` and `sleepSeconds` (the `simulated-failures` flag). */
  simulate: boolean;
  requestId: string;
  now?: () => Date;
}

/**
 * The work itself, the same in every model: wait if asked, fail if asked, otherwise describe what
 * was done. What differs between the models is only what Lambda does with the outcome.
 */
export async function runJob(job: Job, { model, simulate, requestId, now = () => new Date() }: RunOptions): Promise<JobResult> {
  const sleptSeconds = simulate ? (job.input.sleepSeconds ?? 0) : 0;
  if (sleptSeconds > 0) await sleep(sleptSeconds);
  if (simulate && job.input.fail) throw new SimulatedFailureError(`Job ${job.id} failed because it asked to ("fail": true)`);
  return { id: job.id, model, message: job.input.message ?? null, sleptSeconds, processedBy: requestId, processedAt: now().toISOString() };
}

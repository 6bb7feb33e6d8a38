import { instrumented, processJob } from '../lib/handler.js';
import { idempotent } from '../lib/idempotency.js';
import { parseJob } from '../lib/job.js';

const processOnce = idempotent((job, context) => processJob('async', job, context));

/**
 * Asynchronous model: invoked with the Event invocation type (by API Gateway's POST /async, or
 * `aws lambda invoke --invocation-type Event`); the caller got 202 before this runs. Lambda queues
 * the event, retries a failure (an error thrown here, or a timeout) up to `asyncRetryAttempts`
 * times, one then two minutes apart, and drops events older than `asyncMaxEventAgeSeconds`. What
 * this returns lands in the on-success queue; an event that fails every attempt, or grows too old,
 * lands in the on-failure queue. A job id seen before returns its first result without running again.
 */
export const handler = instrumented('async', async (event: unknown, context) => processOnce(parseJob(event), context));

import { Metrics } from '@aws-lambda-powertools/metrics';
import { httpHandler } from '../lib/handler.js';
import { ValidationError, json } from '../lib/http.js';
import { logger } from '../lib/powertools.js';
import { EXPERIMENT_METRICS, assignmentsOfRequest, isMetricName, recordConversion } from '../sprout/experiments/conversions.js';

// POST /conversions: the page reports a conversion (a sign-up, an order, an item created) and
// this function credits it to the experiment variants the viewer is in. The viewer's variants
// come in the x-sprout-experiment header: set by the edge router when the API is behind it, or
// copied by the frontend from the router's sprout-x-* cookies (frontend/src/api.ts). Writing EMF
// to the function's log is all it does: CloudWatch turns the lines into metrics, and the function
// needs no AWS permission for it.

const stage = process.env.SPROUT_STAGE;
if (!stage) throw new Error('Environment variable SPROUT_STAGE is not set');

// Its own Metrics, for the experiments' namespace: the handler's (src/lib/powertools.ts) writes to
// the project's namespace. recordConversion drops Powertools' `service` default dimension.
const experimentMetrics = new Metrics({ namespace: EXPERIMENT_METRICS.namespace });

/** The body: `{}` or `{ "metric": "<name>" }`; an empty body is `{}`. */
function metricOf(body: string | null): string {
  let parsed: unknown = {};
  if (body?.trim()) {
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new ValidationError('The body must be JSON');
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ValidationError('The body must be a JSON object');
  const { metric = EXPERIMENT_METRICS.defaultMetric, ...rest } = parsed as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length) throw new ValidationError(`Unknown field ${unknown[0]}: the body has only "metric"`);
  if (!isMetricName(metric)) throw new ValidationError('metric must be 1 to 40 lower-case letters, digits and -, starting with a letter or digit');
  return metric;
}

export const handler = httpHandler('recordConversion', async (event) => {
  const metric = metricOf(event.body);
  const recorded = recordConversion(experimentMetrics, { stage, metric, assignments: assignmentsOfRequest(event.headers, event.multiValueHeaders) });
  logger.info('Conversion', { metric, recorded: recorded.length });
  return json(202, { metric, recorded });
});

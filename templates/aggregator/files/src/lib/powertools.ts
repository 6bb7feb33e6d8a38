import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

// Service name and metrics namespace come from POWERTOOLS_SERVICE_NAME and
// POWERTOOLS_METRICS_NAMESPACE, which the stack sets on every function.
export const logger = new Logger();
export const metrics = new Metrics();
// Tracer's automatic fetch instrumentation keeps the call in flight in the one "active segment"
// slot, which only works for one call at a time: with parallel calls it nests them and closes the
// wrong ones. The aggregator records one subsegment per source itself (src/lib/tracing.ts).
export const tracer = new Tracer({ captureHTTPsRequests: false });

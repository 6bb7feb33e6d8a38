import type { CallTrace } from './fan-out.js';
import { tracer } from './powertools.js';
import type { Source } from './sources.js';

/**
 * One X-Ray subsegment per downstream call, opened and closed by the call itself (never through
 * the shared "active segment"), so parallel calls appear side by side in the trace, each with its
 * URL, status and outcome, and the downstream service joins the trace through the
 * X-Amzn-Trace-Id header. Nothing to do when tracing is off (tests, or outside Lambda).
 */
export function traceSourceCall(source: Source, url: string): CallTrace | undefined {
  if (!tracer.isTracingEnabled()) return undefined;
  const parent = tracer.getSegment();
  if (!parent) return undefined;
  const subsegment = parent.addNewSubsegment(source.name);
  subsegment.addAttribute('namespace', 'remote');
  const { origin, pathname } = new URL(url);
  // The query string stays out of the trace: it can carry customer ids.
  const http: { request: { url: string; method: string }; response?: { status: number } } = { request: { url: `${origin}${pathname}`, method: 'GET' } };
  Object.assign(subsegment, { http });
  subsegment.addAnnotation('source', source.name);
  return {
    headers: { 'x-amzn-trace-id': `Root=${tracer.getRootXrayTraceId()};Parent=${subsegment.id};Sampled=${tracer.isTraceSampled() ? 1 : 0}` },
    end(report) {
      if (report.httpStatus !== undefined) http.response = { status: report.httpStatus };
      subsegment.addAnnotation('status', report.status);
      if (report.httpStatus !== undefined && report.httpStatus >= 400 && report.httpStatus < 500) subsegment.addErrorFlag();
      else if (report.status === 'error' || report.status === 'timeout') subsegment.addFaultFlag();
      subsegment.close();
    },
  };
}

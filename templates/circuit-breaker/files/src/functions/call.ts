import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type BreakerResult, CircuitBreaker, type CircuitView, type Transition } from '../lib/breaker.js';
import { callDownstream, DownstreamError, type DownstreamResponse } from '../lib/downstream.js';
import { forceCircuitOpen } from '../lib/flag-client.js';
import { httpHandler } from '../lib/handler.js';
import { json } from '../lib/http.js';
import { logger, metrics } from '../lib/powertools.js';
import { trialLeaseMs } from '../lib/settings.js';
import { documentClient, requiredEnv } from '../lib/table.js';

/**
 * GET /call: calls the downstream service through the circuit breaker and passes its answer on;
 * while the circuit is open, answers at once with the fallback (503, Retry-After).
 * GET /circuit: the circuit's state, for dashboards and for trying the pattern out.
 */

const settings = {
  circuit: requiredEnv('CIRCUIT_NAME'),
  downstreamUrl: requiredEnv('DOWNSTREAM_URL'),
  callTimeoutMs: Number(requiredEnv('CALL_TIMEOUT_MS')),
  failureThreshold: Number(requiredEnv('FAILURE_THRESHOLD')),
  coolDownSeconds: Number(requiredEnv('COOL_DOWN_SECONDS')),
};

const transitionMetrics: Record<Transition['reason'], string> = {
  threshold: 'CircuitOpened',
  'trial-failed': 'CircuitReopened',
  'cool-down': 'CircuitHalfOpened',
  'trial-expired': 'TrialRetaken',
  'trial-succeeded': 'CircuitClosed',
};

export const breaker = new CircuitBreaker(
  {
    name: settings.circuit,
    failureThreshold: settings.failureThreshold,
    coolDownMs: settings.coolDownSeconds * 1000,
    trialLeaseMs: trialLeaseMs(settings.callTimeoutMs),
  },
  {
    client: documentClient,
    tableName: requiredEnv('TABLE_NAME'),
    // Logged and counted only by the caller whose conditional write made the transition.
    onTransition: (transition, circuit) => {
      metrics.addMetric(transitionMetrics[transition.reason], MetricUnit.Count, 1);
      logger.warn(`Circuit ${transition.from} -> ${transition.to} (${transition.reason})`, { transition, circuit });
    },
  },
);

/** The fallback answer: what the caller gets instead of waiting on a downstream that is failing. */
function fallback(code: string, message: string, circuit: CircuitView | (Pick<CircuitView, 'name' | 'state'> & { forced: true }), retryAfter: number): APIGatewayProxyResult {
  return json(503, { error: { code, message }, circuit, retryAfter }, { 'retry-after': String(retryAfter), 'x-circuit-state': circuit.state });
}

function answer(result: BreakerResult<DownstreamResponse>): APIGatewayProxyResult {
  const { circuit } = result;
  switch (result.outcome) {
    case 'success': {
      metrics.addMetric('CallSucceeded', MetricUnit.Count, 1);
      const { status, contentType, body } = result.value;
      // The downstream answer, passed on as it came (a 4xx included: the downstream is healthy).
      return { statusCode: status, headers: { 'content-type': contentType, 'x-circuit-state': circuit.state }, body };
    }
    case 'failure': {
      metrics.addMetric('CallFailed', MetricUnit.Count, 1);
      const error = result.error instanceof DownstreamError ? result.error : new DownstreamError('network', String(result.error));
      logger.warn('Downstream call failed', { kind: error.kind, status: error.status, circuit });
      const timeout = error.kind === 'timeout';
      return json(
        timeout ? 504 : 502,
        { error: { code: timeout ? 'DOWNSTREAM_TIMEOUT' : 'DOWNSTREAM_ERROR', message: error.message }, circuit },
        { 'x-circuit-state': circuit.state },
      );
    }
    case 'rejected': {
      metrics.addMetric('CallRejected', MetricUnit.Count, 1);
      const message =
        circuit.state === 'open'
          ? `The downstream service is failing; the circuit is open and calls fail fast for ${result.retryAfterSeconds} s more`
          : circuit.state === 'half-open'
            ? 'The circuit is half-open and another caller is making the trial call; try again shortly'
            : // Only after losing several races in a row (src/lib/breaker.ts, MAX_ATTEMPTS).
              'The circuit is changing state under heavy contention; try again shortly';
      return fallback('CIRCUIT_OPEN', message, circuit, result.retryAfterSeconds);
    }
  }
}

export const handler = httpHandler('call', async (event: APIGatewayProxyEvent) => {
  if (event.resource === '/circuit') return json(200, { circuit: await breaker.inspect() });

  // The kill switch: the fallback for everyone the flag is on for, with no downstream call and no
  // change to the circuit's state.
  if (await forceCircuitOpen(event, settings.circuit)) {
    metrics.addMetric('CallForcedOpen', MetricUnit.Count, 1);
    return fallback(
      'CIRCUIT_FORCED_OPEN',
      'The force-circuit-open flag is on: the downstream service is not being called',
      { name: settings.circuit, state: 'open', forced: true },
      settings.coolDownSeconds,
    );
  }

  return answer(await breaker.execute(() => callDownstream(settings.downstreamUrl, settings.callTimeoutMs)));
});

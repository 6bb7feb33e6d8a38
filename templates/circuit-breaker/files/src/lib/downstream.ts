/**
 * The protected downstream call: a GET with a timeout. What counts as a failure for the breaker
 * is decided here: a network error, a timeout, or a 5xx. A 4xx is the downstream answering
 * correctly that the request was wrong, so it is a success for the circuit and is passed on.
 */

export type FailureKind = 'timeout' | 'network' | 'status';

export class DownstreamError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DownstreamError';
  }
}

export interface DownstreamResponse {
  status: number;
  contentType: string;
  body: string;
}

export async function callDownstream(url: string, timeoutMs: number): Promise<DownstreamResponse> {
  // One signal for the whole exchange: a downstream that sends its headers and then stalls the
  // body times out too.
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, { signal, headers: { accept: 'application/json, */*;q=0.5' } });
    const body = await response.text();
    if (response.status >= 500) throw new DownstreamError('status', `The downstream service answered ${response.status}`, response.status);
    return { status: response.status, contentType: response.headers.get('content-type') ?? 'application/octet-stream', body };
  } catch (error) {
    if (error instanceof DownstreamError) throw error;
    if (signal.aborted) throw new DownstreamError('timeout', `The downstream service did not answer within ${timeoutMs} ms`);
    throw new DownstreamError('network', `The downstream service could not be reached (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message})`);
  }
}

// Small helpers for Lambda@Edge events (shapes from @types/aws-lambda, which follow AWS's
// documented CloudFront event structure: lower-case header names mapping to [{ key, value }]).
import type { CloudFrontHeaders, CloudFrontResultResponse } from 'aws-lambda';

/** The first value of a header, or undefined. `name` is lower-case, as CloudFront keys them. */
export function headerValue(headers: CloudFrontHeaders | undefined, name: string): string | undefined {
  return headers?.[name]?.[0]?.value;
}

/** The value of one cookie from every Cookie header of the request. */
export function cookieValue(headers: CloudFrontHeaders, name: string): string | undefined {
  for (const { value } of headers.cookie ?? []) {
    for (const pair of value.split(';')) {
      const index = pair.indexOf('=');
      if (index > 0 && pair.slice(0, index).trim() === name) return pair.slice(index + 1).trim();
    }
  }
  return undefined;
}

/** A generated response (viewer triggers: at most 40 KB, headers included). */
export function generatedResponse(status: number, statusDescription: string, headers: Record<string, string | string[]>, body?: string): CloudFrontResultResponse {
  const cfHeaders: CloudFrontHeaders = {};
  for (const [key, value] of Object.entries(headers)) {
    cfHeaders[key.toLowerCase()] = (Array.isArray(value) ? value : [value]).map((v) => ({ key, value: v }));
  }
  return { status: String(status), statusDescription, headers: cfHeaders, ...(body !== undefined ? { body } : {}) };
}

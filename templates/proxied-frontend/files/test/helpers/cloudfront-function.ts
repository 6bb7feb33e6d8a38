import { runInNewContext } from 'node:vm';

// CloudFront Functions' viewer-request event and results, as documented in "CloudFront Functions
// event structure" (header, query string and cookie names in lower case, values in { value }).
export interface CfValue {
  value: string;
  multiValue?: CfValue[];
}
export interface CfRequest {
  method: string;
  uri: string;
  querystring: Record<string, CfValue>;
  headers: Record<string, CfValue>;
  cookies: Record<string, CfValue>;
}
export interface CfResponse {
  statusCode: number;
  statusDescription?: string;
  headers?: Record<string, CfValue>;
}
export interface CfEvent {
  version: '1.0';
  context: { distributionDomainName: string; distributionId: string; eventType: 'viewer-request'; requestId: string };
  viewer: { ip: string };
  request: CfRequest;
}

export const DISTRIBUTION_DOMAIN = 'd111111abcdef8.cloudfront.net';

/** A viewer-request event for `uri`, as CloudFront passes it to a function. */
export function viewerRequest(
  uri: string,
  { method = 'GET', viewerIp = '198.51.100.7', querystring = {}, headers = {} }: { method?: string; viewerIp?: string; querystring?: Record<string, string>; headers?: Record<string, string> } = {},
): CfEvent {
  const values = (entries: Record<string, string>) => Object.fromEntries(Object.entries(entries).map(([name, value]) => [name, { value }]));
  return {
    version: '1.0',
    context: { distributionDomainName: DISTRIBUTION_DOMAIN, distributionId: 'EDFDVBD6EXAMPLE', eventType: 'viewer-request', requestId: 'req-1' },
    viewer: { ip: viewerIp },
    request: {
      method,
      uri,
      querystring: values(querystring),
      headers: values({ host: DISTRIBUTION_DOMAIN, accept: '*/*', ...headers }),
      cookies: {},
    },
  };
}

export type CfHandler = (event: CfEvent) => CfRequest | CfResponse;

/**
 * Loads a CloudFront Function's code the way CloudFront runs it: a script defining `handler`,
 * evaluated in a context of its own, without Node.js's require, process, Buffer or module
 * system (code that used them would throw here as it would at the edge). Events and results
 * cross as JSON, as they do between CloudFront and the function.
 */
export function loadCloudFrontFunction(code: string, filename = 'function.js'): CfHandler {
  const handler = runInNewContext(`${code}\n;typeof handler === 'function' ? handler : undefined`, {}, { filename }) as ((event: unknown) => unknown) | undefined;
  if (!handler) throw new Error(`${filename} defines no handler function`);
  return (event) => JSON.parse(JSON.stringify(handler(JSON.parse(JSON.stringify(event))))) as CfRequest | CfResponse;
}

export const isResponse = (result: CfRequest | CfResponse): result is CfResponse => 'statusCode' in result;

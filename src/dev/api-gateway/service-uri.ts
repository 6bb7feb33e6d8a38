/**
 * Where an AWS service integration goes locally: API Gateway's Uri
 * (`arn:aws:apigateway:<region>:<service>:path/<path>` or `...:action/<Action>`) mapped onto the
 * local endpoints, with the protocol details API Gateway adds for each service (X-Amz-Target and
 * the JSON content type for JSON-protocol services, `Action=` for query-protocol ones).
 */
import type { LocalEndpoints } from '../types.js';

export interface ServiceTarget {
  service: string;
  url: string;
  headers: Record<string, string>;
  /** Extra query parameters (`Action` for the query-protocol services). */
  query: Array<[string, string]>;
}

const JSON_SERVICES: Record<string, { prefix: string; contentType: string }> = {
  dynamodb: { prefix: 'DynamoDB_20120810', contentType: 'application/x-amz-json-1.0' },
  states: { prefix: 'AWSStepFunctions', contentType: 'application/x-amz-json-1.0' },
  events: { prefix: 'AWSEvents', contentType: 'application/x-amz-json-1.1' },
  kinesis: { prefix: 'Kinesis_20131202', contentType: 'application/x-amz-json-1.1' },
};

const QUERY_SERVICES = new Set(['sqs', 'sns']);

export function parseServiceUri(uri: string, endpoints: LocalEndpoints): ServiceTarget | { error: string } {
  const match = /^arn:aws[\w-]*:apigateway:[\w-]+:([\w.-]+):(path|action)\/(.*)$/s.exec(uri);
  if (!match) return { error: `unsupported AWS integration URI ${uri}` };
  const [, rawService, form, rest] = match;
  // `sqs`, or a subdomain form like `dynamodb` / `<subdomain>.<service>`.
  const service = rawService!.split('.').pop()!.toLowerCase();
  const base = endpointFor(service, endpoints);
  if (!base) return { error: `the ${service} service is not emulated locally` };
  if (form === 'path') return { service, url: `${base.replace(/\/$/, '')}/${rest!.replace(/^\//, '')}`, headers: {}, query: [] };
  const [action, actionQuery] = rest!.split('?');
  const query: Array<[string, string]> = actionQuery ? [...new URLSearchParams(actionQuery)] : [];
  const json = JSON_SERVICES[service];
  if (json) return { service, url: `${base.replace(/\/$/, '')}/`, headers: { 'X-Amz-Target': `${json.prefix}.${action}`, 'Content-Type': json.contentType }, query };
  if (QUERY_SERVICES.has(service)) return { service, url: `${base.replace(/\/$/, '')}/`, headers: {}, query: [['Action', action!], ...query] };
  return { error: `the ${service} action form is not supported locally` };
}

function endpointFor(service: string, endpoints: LocalEndpoints): string | undefined {
  switch (service) {
    case 'dynamodb':
      return endpoints.dynamodb;
    case 'kinesis':
      return endpoints.kinesis;
    case 's3':
      return endpoints.s3;
    case 'sqs':
    case 'sns':
    case 'states':
    case 'events':
    case 'lambda':
      return endpoints.aws;
    default:
      return undefined;
  }
}

import type { Template } from 'aws-cdk-lib/assertions';

type Resource = { Type: string; Properties: Record<string, any> };

/** Where one ANY method of the synthesized facade sends requests. */
export type Integration =
  | { to: 'legacy'; url: string; httpMethod: string; timeoutMs: number; requestParameters?: Record<string, string>; methodParameters?: Record<string, boolean> }
  | { to: 'new'; functionLogicalId: string };

export interface SynthesizedFacade {
  /** Every resource of the REST API by its full path (`/orders/{proxy+}`), the root excluded. */
  resources: Set<string>;
  /** The integration of each ANY method, by its resource's full path (`/` for the root). */
  methods: Map<string, Integration>;
  /** Every HTTP method of every Method resource, to prove there is nothing but ANY. */
  httpMethods: string[];
}

/**
 * Reads the facade back from a synthesized template: resource paths rebuilt from the ParentId
 * chain, and each method's integration classified by what it really points at (an HTTP_PROXY URL,
 * or an AWS_PROXY URI that invokes a Lambda function), not by anything the stack code says.
 */
export function readFacade(template: Template): SynthesizedFacade {
  const all = template.toJSON().Resources as Record<string, Resource>;
  const [restApiId, ...others] = Object.keys(template.findResources('AWS::ApiGateway::RestApi'));
  if (!restApiId || others.length) throw new Error('expected exactly one REST API');

  const apiResources = Object.entries(all).filter(([, r]) => r.Type === 'AWS::ApiGateway::Resource');
  const pathOf = (ref: unknown): string => {
    const getAtt = (ref as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    if (getAtt?.[0] === restApiId && getAtt[1] === 'RootResourceId') return '/';
    const id = (ref as { Ref?: string }).Ref;
    const resource = id && all[id];
    if (!resource || resource.Type !== 'AWS::ApiGateway::Resource') throw new Error(`unexpected resource reference ${JSON.stringify(ref)}`);
    const parent = pathOf(resource.Properties.ParentId);
    return `${parent === '/' ? '' : parent}/${resource.Properties.PathPart}`;
  };

  const methods = new Map<string, Integration>();
  const httpMethods: string[] = [];
  for (const [, method] of Object.entries(all).filter(([, r]) => r.Type === 'AWS::ApiGateway::Method')) {
    const { Integration: integration, HttpMethod, ResourceId, RequestParameters } = method.Properties;
    httpMethods.push(HttpMethod);
    const path = pathOf(ResourceId);
    if (integration.Type === 'HTTP_PROXY') {
      methods.set(path, {
        to: 'legacy',
        url: integration.Uri,
        httpMethod: integration.IntegrationHttpMethod,
        timeoutMs: integration.TimeoutInMillis,
        ...(integration.RequestParameters ? { requestParameters: integration.RequestParameters } : {}),
        ...(RequestParameters ? { methodParameters: RequestParameters } : {}),
      });
    } else if (integration.Type === 'AWS_PROXY') {
      const parts = (integration.Uri['Fn::Join']?.[1] ?? []) as unknown[];
      const functionArn = parts.find((part) => (part as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt']?.[1] === 'Arn') as { 'Fn::GetAtt': string[] } | undefined;
      if (!functionArn || !JSON.stringify(parts).includes(':lambda:path/2015-03-31/functions/')) throw new Error(`not a Lambda invocation: ${JSON.stringify(integration.Uri)}`);
      methods.set(path, { to: 'new', functionLogicalId: functionArn['Fn::GetAtt'][0]! });
    } else {
      throw new Error(`unexpected integration type ${integration.Type} on ${path}`);
    }
  }
  return { resources: new Set(apiResources.map(([id]) => pathOf({ Ref: id }))), methods, httpMethods };
}

/**
 * Lambda@Edge functions cannot be deleted until CloudFront has removed their replicas, which
 * takes hours after the distribution lets go of them. A stack that deletes one fails; a stack
 * that retains one succeeds and leaves the function to delete later. This finds them in a
 * synthesized template so `destroy` can say which were kept and how to finish.
 */
export interface EdgeFunction {
  stackName: string;
  logicalId: string;
  /** RETAIN: the stack deletion succeeds and the function stays; otherwise the deletion will fail. */
  retained: boolean;
  functionName?: string;
}

interface Template {
  Resources?: Record<string, { Type?: string; DeletionPolicy?: string; Properties?: Record<string, unknown> }>;
}

/** Functions whose versions a CloudFront distribution (in this template) associates as edge functions,
 * or functions in a stack that CDK's EdgeFunction made for us-east-1. */
export function edgeFunctionsIn(stackName: string, template: Template, region?: string): EdgeFunction[] {
  const resources = template.Resources ?? {};
  const associated = new Set<string>();
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::CloudFront::Distribution') continue;
    for (const arn of associationArns(resource.Properties)) {
      const id = referencedId(arn);
      if (!id) continue;
      const target = resources[id];
      // A version points at its function; an association may also point at the function directly.
      const fn = target?.Type === 'AWS::Lambda::Version' ? referencedId((target.Properties ?? {}).FunctionName) : id;
      if (fn) associated.add(fn);
    }
  }
  const edgeStack = region === 'us-east-1' && /^edge-lambda-stack-/.test(stackName);
  // That stack may hold other functions too (the one that empties a bucket on delete): only those
  // Lambda@Edge may assume the role of are edge functions.
  return Object.entries(resources)
    .filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && (associated.has(id) || (edgeStack && roleTrustsEdgeLambda(resources, r.Properties?.Role))))
    .map(([logicalId, r]) => ({
      stackName,
      logicalId,
      retained: r.DeletionPolicy === 'Retain' || r.DeletionPolicy === 'RetainExceptOnCreate',
      ...(typeof r.Properties?.FunctionName === 'string' ? { functionName: r.Properties.FunctionName } : {}),
    }));
}

function roleTrustsEdgeLambda(resources: NonNullable<Template['Resources']>, roleArn: unknown): boolean {
  const role = resources[referencedId(roleArn) ?? ''];
  return JSON.stringify(role?.Properties?.AssumeRolePolicyDocument ?? {}).includes('edgelambda.amazonaws.com');
}

function associationArns(properties: Record<string, unknown> | undefined): unknown[] {
  const config = (properties?.DistributionConfig ?? {}) as Record<string, unknown>;
  const behaviors = [config.DefaultCacheBehavior, ...((config.CacheBehaviors as unknown[]) ?? [])] as Array<Record<string, unknown> | undefined>;
  return behaviors.flatMap((b) => ((b?.LambdaFunctionAssociations as Array<Record<string, unknown>>) ?? []).map((a) => a.LambdaFunctionARN));
}

/** The logical id in { Ref: X } or { "Fn::GetAtt": [X, …] }. */
function referencedId(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const ref = (value as { Ref?: unknown }).Ref;
  if (typeof ref === 'string') return ref;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  return Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
}

/**
 * Reads one REST API (AWS::ApiGateway::RestApi) and everything attached to it from the resolved
 * app: the resource tree, methods, stage, authorizers, models, validators, gateway responses.
 * Attachments are found by their RestApiId (the API's Ref) and their ResourceId/ParentId
 * (a Resource's Ref or the API's RootResourceId), never by logical id patterns.
 */
import type { ResolvedApp, ResolvedResource } from '../types.js';
import type { GatewayResponseDefinition } from './gateway-responses.js';

export interface RestIntegration {
  type: 'AWS_PROXY' | 'AWS' | 'HTTP' | 'HTTP_PROXY' | 'MOCK';
  uri?: string;
  httpMethod?: string;
  requestParameters: Record<string, string>;
  requestTemplates: Record<string, string>;
  passthroughBehavior: 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER';
  integrationResponses: Array<{
    statusCode: string;
    selectionPattern?: string;
    responseTemplates: Record<string, string>;
    responseParameters: Record<string, string>;
  }>;
  timeoutMs: number;
}

export interface RestMethod {
  logicalId: string;
  httpMethod: string;
  authorizationType: string;
  authorizer?: RestAuthorizer;
  authorizationScopes: string[];
  validator?: { body: boolean; parameters: boolean };
  /** Content type → JSON schema (from the Model the method names). */
  requestModels: Record<string, object>;
  /** `method.request.header.X` → required. */
  requestParameters: Record<string, boolean>;
  integration: RestIntegration;
}

export interface RestResourceNode {
  id: string;
  pathPart: string;
  /** The full resource path, `/items/{id}`. */
  path: string;
  children: RestResourceNode[];
  methods: Map<string, RestMethod>;
}

export interface RestAuthorizer {
  id: string;
  name: string;
  type: 'TOKEN' | 'REQUEST' | 'COGNITO_USER_POOLS';
  /** The authorizer function (ARN) for TOKEN/REQUEST. */
  functionArn?: string;
  identitySources: string[];
  identityValidationExpression?: string;
  ttlSeconds: number;
  providerArns: string[];
}

export interface RestApiModel {
  id: string;
  logicalId: string;
  stack: string;
  name: string;
  stage: string;
  stageVariables: Record<string, string>;
  binaryMediaTypes: string[];
  root: RestResourceNode;
  gatewayResponses: Map<string, GatewayResponseDefinition>;
  /** What could not be read locally (listed in the banner). */
  warnings: string[];
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function strMap(value: unknown, warnings: string[], where: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value || typeof value !== 'object') return out;
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry === 'string') out[key] = entry;
    else if (typeof entry === 'boolean' || typeof entry === 'number') out[key] = String(entry);
    else warnings.push(`${where}: ${key} could not be resolved locally`);
  }
  return out;
}

export function readRestApis(app: ResolvedApp): RestApiModel[] {
  return app.ofType('AWS::ApiGateway::RestApi').map((api) => readRestApi(app, api));
}

function readRestApi(app: ResolvedApp, api: ResolvedResource): RestApiModel {
  const warnings: string[] = [];
  const belongs = (resource: ResolvedResource) => resource.properties.RestApiId === api.ref;
  const name = str(api.properties.Name) ?? api.logicalId;
  const rootId = api.attributes.RootResourceId ?? `${api.ref}-root`;

  const models = new Map<string, object>();
  for (const model of app.ofType('AWS::ApiGateway::Model').filter(belongs)) {
    const schema = model.properties.Schema;
    if (schema && typeof schema === 'object') {
      models.set(model.ref, schema);
      if (typeof model.properties.Name === 'string') models.set(model.properties.Name, schema);
    }
  }
  const validators = new Map<string, { body: boolean; parameters: boolean }>();
  for (const validator of app.ofType('AWS::ApiGateway::RequestValidator').filter(belongs)) {
    validators.set(validator.ref, { body: validator.properties.ValidateRequestBody === true || validator.properties.ValidateRequestBody === 'true', parameters: validator.properties.ValidateRequestParameters === true || validator.properties.ValidateRequestParameters === 'true' });
  }
  const authorizers = new Map<string, RestAuthorizer>();
  for (const authorizer of app.ofType('AWS::ApiGateway::Authorizer').filter(belongs)) {
    const p = authorizer.properties;
    const type = (str(p.Type) ?? 'TOKEN') as RestAuthorizer['type'];
    const functionArn = /\/functions\/(.+)\/invocations$/.exec(str(p.AuthorizerUri) ?? '')?.[1];
    if (type !== 'COGNITO_USER_POOLS' && !functionArn) warnings.push(`${name}: authorizer ${authorizer.logicalId} has no local function`);
    authorizers.set(authorizer.ref, {
      id: authorizer.ref,
      name: str(p.Name) ?? authorizer.logicalId,
      type,
      functionArn,
      identitySources: (str(p.IdentitySource) ?? (type === 'REQUEST' ? '' : 'method.request.header.Authorization')).split(',').map((s) => s.trim()).filter(Boolean),
      identityValidationExpression: str(p.IdentityValidationExpression),
      ttlSeconds: p.AuthorizerResultTtlInSeconds === undefined ? 300 : Number(p.AuthorizerResultTtlInSeconds),
      providerArns: Array.isArray(p.ProviderARNs) ? p.ProviderARNs.filter((arn: unknown): arn is string => typeof arn === 'string') : [],
    });
  }

  const root: RestResourceNode = { id: rootId, pathPart: '', path: '/', children: [], methods: new Map() };
  const nodes = new Map<string, RestResourceNode>([[rootId, root]]);
  const pending = app.ofType('AWS::ApiGateway::Resource').filter(belongs);
  // Parents may come after children in template order: attach until nothing more attaches.
  let progress = true;
  while (pending.length > 0 && progress) {
    progress = false;
    for (let i = 0; i < pending.length; i++) {
      const resource = pending[i]!;
      const parent = nodes.get(str(resource.properties.ParentId) ?? '');
      if (!parent) continue;
      const pathPart = str(resource.properties.PathPart) ?? '';
      const node: RestResourceNode = { id: resource.ref, pathPart, path: `${parent.path === '/' ? '' : parent.path}/${pathPart}`, children: [], methods: new Map() };
      parent.children.push(node);
      nodes.set(resource.ref, node);
      pending.splice(i--, 1);
      progress = true;
    }
  }
  for (const orphan of pending) warnings.push(`${name}: resource ${orphan.logicalId} has no parent in the app`);

  for (const method of app.ofType('AWS::ApiGateway::Method').filter(belongs)) {
    const node = nodes.get(str(method.properties.ResourceId) ?? '');
    if (!node) {
      warnings.push(`${name}: method ${method.logicalId} is on an unknown resource`);
      continue;
    }
    const p = method.properties;
    const requestModels: Record<string, object> = {};
    for (const [type, modelRef] of Object.entries(p.RequestModels ?? {})) {
      const schema = typeof modelRef === 'string' ? models.get(modelRef) : undefined;
      if (schema) requestModels[type] = schema;
    }
    const requestParameters: Record<string, boolean> = {};
    for (const [key, required] of Object.entries(p.RequestParameters ?? {})) requestParameters[key] = required === true || required === 'true';
    const httpMethod = (str(p.HttpMethod) ?? 'ANY').toUpperCase();
    const authorizerId = str(p.AuthorizerId);
    node.methods.set(httpMethod, {
      logicalId: method.logicalId,
      httpMethod,
      authorizationType: str(p.AuthorizationType) ?? 'NONE',
      authorizer: authorizerId ? authorizers.get(authorizerId) : undefined,
      authorizationScopes: Array.isArray(p.AuthorizationScopes) ? p.AuthorizationScopes.filter((s: unknown): s is string => typeof s === 'string') : [],
      validator: validators.get(str(p.RequestValidatorId) ?? ''),
      requestModels,
      requestParameters,
      integration: readIntegration(p.Integration ?? {}, warnings, `${name} ${httpMethod} ${node.path}`),
    });
    if (p.AuthorizationType === 'AWS_IAM') warnings.push(`${name} ${httpMethod} ${node.path}: AWS_IAM authorization is not checked locally`);
  }

  const gatewayResponses = new Map<string, GatewayResponseDefinition>();
  for (const response of app.ofType('AWS::ApiGateway::GatewayResponse').filter(belongs)) {
    const p = response.properties;
    gatewayResponses.set(str(p.ResponseType) ?? '', {
      statusCode: p.StatusCode === undefined ? undefined : String(p.StatusCode),
      responseTemplates: p.ResponseTemplates ? strMap(p.ResponseTemplates, warnings, `${name} ${p.ResponseType}`) : undefined,
      responseParameters: strMap(p.ResponseParameters, warnings, `${name} ${p.ResponseType}`),
    });
  }

  const { stage, stageVariables } = readStage(app, api, warnings);
  const binaryMediaTypes = Array.isArray(api.properties.BinaryMediaTypes) ? api.properties.BinaryMediaTypes.filter((t: unknown): t is string => typeof t === 'string').map((t: string) => t.replace('~1', '/')) : [];
  return { id: api.ref, logicalId: api.logicalId, stack: api.stack, name, stage, stageVariables, binaryMediaTypes, root, gatewayResponses, warnings };
}

function readStage(app: ResolvedApp, api: ResolvedResource, warnings: string[]): { stage: string; stageVariables: Record<string, string> } {
  const stage = app.ofType('AWS::ApiGateway::Stage').find((s) => s.properties.RestApiId === api.ref);
  if (stage && typeof stage.properties.StageName === 'string') return { stage: stage.properties.StageName, stageVariables: strMap(stage.properties.Variables, warnings, 'stage variables') };
  const deployment = app.ofType('AWS::ApiGateway::Deployment').find((d) => d.properties.RestApiId === api.ref && typeof d.properties.StageName === 'string');
  if (deployment) return { stage: deployment.properties.StageName, stageVariables: strMap(deployment.properties.StageDescription?.Variables, warnings, 'stage variables') };
  warnings.push(`${api.logicalId}: no stage found; serving it as "prod"`);
  return { stage: 'prod', stageVariables: {} };
}

function readIntegration(raw: Record<string, any>, warnings: string[], where: string): RestIntegration {
  const type = (str(raw.Type) ?? 'MOCK').toUpperCase() as RestIntegration['type'];
  const uri = raw.Uri === undefined ? undefined : str(raw.Uri);
  if (raw.Uri !== undefined && uri === undefined) warnings.push(`${where}: the integration URI could not be resolved locally`);
  return {
    type,
    uri,
    httpMethod: str(raw.IntegrationHttpMethod)?.toUpperCase(),
    requestParameters: strMap(raw.RequestParameters, warnings, where),
    requestTemplates: strMap(raw.RequestTemplates, warnings, where),
    passthroughBehavior: (str(raw.PassthroughBehavior) ?? 'WHEN_NO_MATCH').toUpperCase() as RestIntegration['passthroughBehavior'],
    integrationResponses: (Array.isArray(raw.IntegrationResponses) ? raw.IntegrationResponses : []).map((r: Record<string, any>) => ({
      statusCode: String(r.StatusCode ?? '200'),
      selectionPattern: str(r.SelectionPattern),
      responseTemplates: strMap(r.ResponseTemplates, warnings, where),
      responseParameters: strMap(r.ResponseParameters, warnings, where),
    })),
    timeoutMs: raw.TimeoutInMillis === undefined ? 29_000 : Number(raw.TimeoutInMillis),
  };
}

export interface RouteMatch {
  node: RestResourceNode;
  pathParameters: Record<string, string>;
}

/**
 * The resource a path (below the stage, segments still percent-encoded) resolves to: a literal
 * child before a `{param}` before a greedy `{proxy+}`, backtracking when a branch cannot consume
 * the whole path.
 */
export function matchResource(root: RestResourceNode, segments: string[]): RouteMatch | undefined {
  return walk(root, segments, 0, {});
}

function walk(node: RestResourceNode, segments: string[], index: number, params: Record<string, string>): RouteMatch | undefined {
  if (index === segments.length) return { node, pathParameters: params };
  const segment = segments[index]!;
  const literal = node.children.filter((child) => !child.pathPart.startsWith('{') && child.pathPart === decodeSafe(segment));
  const variable = node.children.filter((child) => /^\{[^+}]+\}$/.test(child.pathPart));
  const greedy = node.children.filter((child) => /^\{.+\+\}$/.test(child.pathPart));
  for (const child of literal) {
    const found = walk(child, segments, index + 1, params);
    if (found) return found;
  }
  for (const child of variable) {
    const found = walk(child, segments, index + 1, { ...params, [child.pathPart.slice(1, -1)]: decodeSafe(segment) });
    if (found) return found;
  }
  for (const child of greedy) {
    // A greedy variable takes the rest; it needs at least one segment and must be a leaf match.
    return { node: child, pathParameters: { ...params, [child.pathPart.slice(1, -2)]: segments.slice(index).map(decodeSafe).join('/') } };
  }
  return undefined;
}

function decodeSafe(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { CloudFrontEvent, CloudFrontHeaders, CloudFrontOrigin, CloudFrontRequest, CloudFrontResponse, EventType } from '../../runtime/edge-router/cloudfront.js';
import { EXPERIMENT_HEADER, RELEASE_HEADER } from '../../runtime/edge-router/release-document.js';
import type { DevLog, LocalEndpoints, ResolvedApp, ResolvedResource } from '../types.js';
import { compileFunction, type CompiledFunction, fromFunctionRequest, fromFunctionResponse, isFunctionResponse, toFunctionRequest, toFunctionResponse } from './cloudfront-functions.js';
import { createLocalRouter, type LocalRouter, routerSettingsOf } from './edge-router.js';
import { forwardedRequest, MANAGED_CACHE_POLICIES, MANAGED_ORIGIN_REQUEST_POLICIES, parametersOf, parametersOfForwardedValues } from './forwarding.js';
import { fromNodeHeaders, toNodeHeaders } from './headers.js';
import { bucketOfDomain, fetchCustomOrigin, type OriginAnswer, s3OriginReader } from './origins.js';
import { behaviourFor } from './path-pattern.js';
import { applyResponseHeadersPolicy, MANAGED_RESPONSE_HEADERS_POLICIES, type ResponseHeadersPolicyConfig } from './response-headers.js';

/**
 * The local "CloudFront": every AWS::CloudFront::Distribution of the app on a port of 127.0.0.1,
 * following CloudFront's request flow: cache behaviour by path pattern → viewer-request function →
 * [origin-request → origin (with origin-group failover) → origin-response] → custom error page →
 * viewer-response → response headers policy. Nothing is cached: every request is a cache miss and
 * goes to the origin, so what you see is always what the origin and the functions answer now (the
 * cache policies only decide what is forwarded). Lambda@Edge functions run when they are sprout's
 * edge router (the `sprout:edge-router` metadata); others are listed in warnings() and skipped.
 * CloudFront Functions run in node:vm. HTTPS redirects (ViewerProtocolPolicy) are not applied locally.
 */

export interface StartDistributionsOptions {
  app: ResolvedApp;
  /** The project folder: .sprout/local/ holds the release document, the uploaded releases and the edge metrics. */
  root: string;
  endpoints: LocalEndpoints;
  /** The local base URL (http://127.0.0.1:port[/prefix]) serving an origin domain such as an API Gateway's, or undefined. */
  originFor(domain: string): string | undefined;
  log: DevLog;
  /** The first distribution's port (the next ones get the following ports); default: free ports. */
  port?: number;
  host?: string;
  /**
   * Turns a resolved AWS value in a response headers policy (an execute-api URL in a CSP's
   * connect-src...) into its local equivalent, so the browser may call the local API. Default: as
   * is (exactly what CloudFront would send).
   */
  localize?: (value: string) => string;
}

export interface LocalDistribution {
  id: string;
  stack: string;
  logicalId: string;
  /** http://127.0.0.1:<port> */
  url: string;
}

export interface LocalDistributions {
  distributions: LocalDistribution[];
  /** What is not emulated (Lambda@Edge functions other than sprout's router, unresolved origins...). */
  warnings(): string[];
  /** Writes the routers' pending metrics. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

type Behaviour = Record<string, any>;

interface EdgeStep {
  /** For logs and warnings. */
  name: string;
  lambda?: LocalRouter;
  fn?: CompiledFunction;
}

interface PlannedBehaviour {
  pattern: string;
  raw: Behaviour;
  allowedMethods: string[];
  targetOriginId: string;
  responseHeaders?: ResponseHeadersPolicyConfig;
  forwarding: ReturnType<typeof parametersOf>[];
  steps: Partial<Record<EventType, EdgeStep>>;
}

interface PlannedOrigin {
  id: string;
  domainName: string;
  originPath: string;
  customHeaders: CloudFrontHeaders;
  bucket?: string;
  custom?: { protocol: 'http' | 'https'; port: number; readTimeout: number };
}

interface Plan {
  id: string;
  domainName: string;
  behaviours: PlannedBehaviour[];
  defaultBehaviour: PlannedBehaviour;
  origins: Map<string, PlannedOrigin>;
  groups: Map<string, { members: string[]; statusCodes: number[] }>;
  defaultRootObject?: string;
  errorResponses: Array<{ ErrorCode: number; ResponseCode?: number; ResponsePagePath?: string }>;
}

const METHOD_NOT_ALLOWED = 'This distribution is not configured to allow the HTTP request method that was used for this request. The distribution supports only cachable requests.';

export async function startDistributions(options: StartDistributionsOptions): Promise<LocalDistributions> {
  const warnings: string[] = [];
  const routers = new Map<string, LocalRouter>();
  const compiled = new Map<string, CompiledFunction | null>();
  const s3 = s3OriginReader({ endpoint: options.endpoints.s3, root: options.root });
  const servers: Server[] = [];
  const distributions: LocalDistribution[] = [];

  const skippedEdge: Context['skippedEdge'] = new Map();
  const context: Context = { options, warnings, routers, compiled, skippedEdge };
  try {
    for (const [index, resource] of options.app.ofType('AWS::CloudFront::Distribution').entries()) {
      const plan = planDistribution(resource, context);
      const server = createServer((req, res) => {
        void serve(plan, req, res, { ...context, s3 }).catch((error: unknown) => {
          options.log({ kind: 'error', source: 'cloudfront', message: `${req.method} ${req.url} failed: ${(error as Error).message}` });
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('502 Bad Gateway (local CloudFront)\n');
        });
      });
      const port = options.port ? options.port + index : 0;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, options.host ?? '127.0.0.1', () => resolve());
      });
      servers.push(server);
      const address = server.address() as AddressInfo;
      distributions.push({ id: plan.id, stack: resource.stack, logicalId: resource.logicalId, url: `http://${options.host ?? '127.0.0.1'}:${address.port}` });
    }
  } catch (error) {
    await closeAll();
    throw error;
  }

  async function closeAll() {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections?.();
    })));
    for (const router of routers.values()) await router.close();
    s3.close();
  }

  for (const [name, skipped] of skippedEdge) {
    const why = skipped.oldRouter
      ? `it is sprout's edge router without the sprout:edge-router metadata (infra/constructs/release-router.ts predates sprout dev: update it from the spa template)`
      : `only sprout's edge router is`;
    warnings.push(`Lambda@Edge ${name} (${[...skipped.events].join(', ')}; ${[...skipped.where].join(', ')}) is not run locally: ${why}`);
  }

  return {
    distributions,
    warnings: () => [...warnings],
    flush: async () => {
      for (const router of routers.values()) await router.flush();
    },
    close: closeAll,
  };
}

type Context = {
  options: StartDistributionsOptions;
  warnings: string[];
  routers: Map<string, LocalRouter>;
  compiled: Map<string, CompiledFunction | null>;
  /** Lambda@Edge functions other than sprout's router: function → its event types and behaviours (one warning each). */
  skippedEdge: Map<string, { events: Set<string>; where: Set<string>; oldRouter: boolean }>;
};

function planDistribution(resource: ResolvedResource, context: Context): Plan {
  const config = (resource.properties['DistributionConfig'] ?? {}) as Record<string, any>;
  const origins = new Map<string, PlannedOrigin>();
  for (const origin of (config['Origins'] ?? []) as Array<Record<string, any>>) {
    const domainName = String(origin['DomainName']);
    const customHeaders: CloudFrontHeaders = {};
    for (const h of (origin['OriginCustomHeaders'] ?? []) as Array<{ HeaderName: string; HeaderValue: string }>) customHeaders[h.HeaderName.toLowerCase()] = [{ key: h.HeaderName, value: String(h.HeaderValue) }];
    const custom = origin['CustomOriginConfig'] as Record<string, any> | undefined;
    const bucket = custom ? undefined : bucketOfDomain(domainName);
    if (typeof origin['DomainName'] !== 'string') context.warnings.push(`${resource.logicalId}: origin ${origin['Id']} has no local domain name (${JSON.stringify(origin['DomainName'])})`);
    const protocol = custom?.['OriginProtocolPolicy'] === 'http-only' ? 'http' : 'https';
    origins.set(String(origin['Id']), {
      id: String(origin['Id']),
      domainName,
      originPath: typeof origin['OriginPath'] === 'string' ? origin['OriginPath'] : '',
      customHeaders,
      ...(bucket ? { bucket } : {}),
      ...(!bucket ? { custom: { protocol, port: Number(protocol === 'http' ? (custom?.['HTTPPort'] ?? 80) : (custom?.['HTTPSPort'] ?? 443)), readTimeout: Number(custom?.['OriginReadTimeout'] ?? 30) } } : {}),
    });
  }
  const groups = new Map<string, { members: string[]; statusCodes: number[] }>();
  for (const group of (config['OriginGroups']?.['Items'] ?? []) as Array<Record<string, any>>) {
    groups.set(String(group['Id']), {
      members: ((group['Members']?.['Items'] ?? []) as Array<{ OriginId: string }>).map((m) => m.OriginId),
      statusCodes: ((group['FailoverCriteria']?.['StatusCodes']?.['Items'] ?? []) as unknown[]).map(Number),
    });
  }
  const plan = (raw: Behaviour): PlannedBehaviour => planBehaviour(resource, raw, context);
  return {
    id: resource.ref,
    domainName: resource.attributes['DomainName'] ?? `${resource.ref.toLowerCase()}.cloudfront.net`,
    behaviours: ((config['CacheBehaviors'] ?? []) as Behaviour[]).map(plan),
    defaultBehaviour: plan({ ...(config['DefaultCacheBehavior'] ?? {}), PathPattern: '*' }),
    origins,
    groups,
    ...(typeof config['DefaultRootObject'] === 'string' && config['DefaultRootObject'] ? { defaultRootObject: config['DefaultRootObject'] } : {}),
    errorResponses: ((config['CustomErrorResponses'] ?? []) as Array<Record<string, unknown>>).map((e) => ({
      ErrorCode: Number(e['ErrorCode']),
      ...(e['ResponseCode'] !== undefined ? { ResponseCode: Number(e['ResponseCode']) } : {}),
      ...(typeof e['ResponsePagePath'] === 'string' ? { ResponsePagePath: e['ResponsePagePath'] } : {}),
    })),
  };
}

function planBehaviour(distribution: ResolvedResource, raw: Behaviour, context: Context): PlannedBehaviour {
  const { app } = context.options;
  const pattern = String(raw['PathPattern'] ?? '*');
  const where = `${distribution.logicalId} ${pattern === '*' ? 'default behaviour' : pattern}`;

  let responseHeaders: ResponseHeadersPolicyConfig | undefined;
  const rhpId = raw['ResponseHeadersPolicyId'];
  if (rhpId !== undefined && typeof rhpId !== 'string') context.warnings.push(`${where}: response headers policy ${JSON.stringify(rhpId)} has no local value: its headers are not added`);
  if (typeof rhpId === 'string') {
    responseHeaders = MANAGED_RESPONSE_HEADERS_POLICIES[rhpId]?.config ?? (app.find(rhpId)?.properties['ResponseHeadersPolicyConfig'] as ResponseHeadersPolicyConfig | undefined);
    if (!responseHeaders) context.warnings.push(`${where}: response headers policy ${rhpId} is unknown locally: its headers are not added`);
    const localize = context.options.localize;
    if (responseHeaders && localize) responseHeaders = mapStrings(responseHeaders, localize);
  }

  const forwarding: PlannedBehaviour['forwarding'] = [];
  const cachePolicyId = raw['CachePolicyId'];
  if (typeof cachePolicyId === 'string') {
    forwarding.push(MANAGED_CACHE_POLICIES[cachePolicyId]?.parameters ?? parametersOf(app.find(cachePolicyId)?.properties['CachePolicyConfig']?.['ParametersInCacheKeyAndForwardedToOrigin']));
  } else {
    forwarding.push(parametersOfForwardedValues(raw['ForwardedValues']));
  }
  const orpId = raw['OriginRequestPolicyId'];
  if (typeof orpId === 'string') forwarding.push(MANAGED_ORIGIN_REQUEST_POLICIES[orpId]?.parameters ?? parametersOf(app.find(orpId)?.properties['OriginRequestPolicyConfig']));

  const steps: PlannedBehaviour['steps'] = {};
  for (const association of (raw['LambdaFunctionAssociations'] ?? []) as Array<{ EventType: EventType; LambdaFunctionARN: unknown }>) {
    const arn = edgeFunctionArn(app, association.LambdaFunctionARN);
    const found = arn ? app.find(arn) : undefined;
    const fn = found?.type === 'AWS::Lambda::Version' ? app.find(String(found.properties['FunctionName'])) : found;
    const settings = fn ? routerSettingsOf(fn.metadata) : undefined;
    if (!fn || !settings) {
      const name = fn?.logicalId ?? arn ?? JSON.stringify(association.LambdaFunctionARN);
      const oldRouter = /^sprout edge router/.test(String(fn?.properties['Description'] ?? ''));
      const skipped = context.skippedEdge.get(name) ?? { events: new Set<string>(), where: new Set<string>(), oldRouter };
      skipped.events.add(association.EventType);
      skipped.where.add(where);
      context.skippedEdge.set(name, skipped);
      continue;
    }
    let router = context.routers.get(fn.ref);
    if (!router) {
      router = createLocalRouter({ settings, root: context.options.root, onError: (error) => context.options.log({ kind: 'warning', source: 'cloudfront', message: `edge metrics not written: ${(error as Error).message}` }) });
      context.routers.set(fn.ref, router);
    }
    steps[association.EventType] = { name: fn.logicalId, lambda: router };
  }
  for (const association of (raw['FunctionAssociations'] ?? []) as Array<{ EventType: EventType; FunctionARN: unknown }>) {
    const arn = String(association.FunctionARN);
    const resource = app.find(arn);
    if (!resource || resource.type !== 'AWS::CloudFront::Function') {
      context.warnings.push(`${where}: CloudFront Function ${arn} on ${association.EventType} is not in the app: not run locally`);
      continue;
    }
    if (!context.compiled.has(resource.ref)) {
      try {
        context.compiled.set(resource.ref, compileFunction(resource.logicalId, String(resource.properties['FunctionCode'] ?? '')));
      } catch (error) {
        context.compiled.set(resource.ref, null);
        context.warnings.push(`CloudFront Function ${resource.logicalId} does not compile: ${(error as Error).message}`);
      }
    }
    const compiledFn = context.compiled.get(resource.ref);
    if (compiledFn) steps[association.EventType] = { name: resource.logicalId, fn: compiledFn };
  }

  return {
    pattern,
    raw,
    allowedMethods: ((raw['AllowedMethods'] as string[] | undefined) ?? ['GET', 'HEAD']).map((m) => m.toUpperCase()),
    targetOriginId: String(raw['TargetOriginId']),
    ...(responseHeaders ? { responseHeaders } : {}),
    forwarding,
    steps,
  };
}

interface ServeContext extends Context {
  s3: ReturnType<typeof s3OriginReader>;
}

interface Answer {
  response: CloudFrontResponse;
  body: Buffer;
}

async function serve(plan: Plan, req: IncomingMessage, res: ServerResponse, context: ServeContext): Promise<void> {
  const started = Date.now();
  const method = (req.method ?? 'GET').toUpperCase();
  const rawUrl = req.url ?? '/';
  const queryAt = rawUrl.indexOf('?');
  const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
  const behaviour = behaviourFor(path, plan.behaviours, plan.defaultBehaviour);
  const viewerHeaders = fromNodeHeaders(req.headers, req.rawHeaders);
  const requestId = randomUUID();
  const eventConfig = (eventType: EventType) => ({ distributionDomainName: plan.domainName, distributionId: plan.id, eventType, requestId });
  const body = await readBody(req);

  const finish = async (answer: Answer, notes: string[]) => {
    if (behaviour.responseHeaders) applyResponseHeadersPolicy(behaviour.responseHeaders, { method, headers: viewerHeaders }, answer.response);
    const headers = toNodeHeaders(answer.response.headers);
    for (const name of Object.keys(headers)) if (['content-length', 'transfer-encoding', 'connection'].includes(name.toLowerCase())) delete headers[name];
    headers['X-Cache'] = 'Miss from cloudfront';
    headers['X-Amz-Cf-Pop'] = 'LOCAL';
    headers['X-Amz-Cf-Id'] = requestId;
    headers['Content-Length'] = String(answer.body.length);
    res.writeHead(Number(answer.response.status), answer.response.statusDescription || undefined, headers);
    res.end(method === 'HEAD' ? undefined : answer.body);
    context.options.log({
      kind: 'request',
      source: 'cloudfront',
      message: `${method} ${rawUrl} ${answer.response.status}${notes.length ? ` → ${notes.join(', ')}` : ''}`,
      data: { distribution: plan.id, behaviour: behaviour.pattern, status: Number(answer.response.status), durationMs: Date.now() - started },
    });
  };

  if (!behaviour.allowedMethods.includes(method)) {
    return finish({ response: { status: '403', statusDescription: 'Forbidden', headers: { 'content-type': [{ key: 'Content-Type', value: 'text/plain' }] } }, body: Buffer.from(METHOD_NOT_ALLOWED) }, []);
  }

  let request: CloudFrontRequest = {
    clientIp: normalizeIp(req.socket.remoteAddress ?? '127.0.0.1'),
    headers: viewerHeaders,
    method,
    querystring: queryAt < 0 ? '' : rawUrl.slice(queryAt + 1),
    // CloudFront applies the default root object to a request for the root only, before any function sees it.
    uri: path === '/' && plan.defaultRootObject ? `/${plan.defaultRootObject}` : path,
  };
  const notes: string[] = [];

  // Viewer request: may change the request or answer it (then no viewer-response function runs).
  const viewerStep = behaviour.steps['viewer-request'];
  if (viewerStep) {
    const result = await runRequestStep(viewerStep, 'viewer-request', request, eventConfig, context.options.log);
    if ('generated' in result) return finish(result.generated, [`answered by ${viewerStep.name}`]);
    request = result.request;
  }
  const release = request.headers[RELEASE_HEADER]?.[0]?.value;
  const router = Object.values(behaviour.steps).find((s) => s?.lambda)?.lambda;
  if (router && release) notes.push(`release ${release} (${await router.describe(release, request.headers[EXPERIMENT_HEADER]?.[0]?.value)})`);

  let answer = await fromOrigin(plan, behaviour, request, body, eventConfig, context, notes);

  // Custom error pages: the page comes from the origin of the behaviour its path matches, with no function run.
  let customError = false;
  const status = Number(answer.response.status);
  const errorResponse = status >= 400 ? plan.errorResponses.find((e) => e.ErrorCode === status) : undefined;
  if (errorResponse?.ResponsePagePath) {
    const pageBehaviour = behaviourFor(errorResponse.ResponsePagePath, plan.behaviours, plan.defaultBehaviour);
    const pageRequest: CloudFrontRequest = { clientIp: request.clientIp, headers: {}, method: 'GET', querystring: '', uri: errorResponse.ResponsePagePath };
    const page = await fetchOrigin(plan, pageBehaviour, pageRequest, undefined, context, null);
    if (Number(page.response.status) < 400) {
      customError = true;
      notes.push(`error page ${errorResponse.ResponsePagePath} for ${status}`);
      const code = errorResponse.ResponseCode ?? status;
      answer = { response: { ...page.response, status: String(code), statusDescription: '' }, body: page.body };
    }
  }

  // Viewer response: not for origin errors (400 and up) nor custom error pages, as CloudFront documents.
  const viewerResponseStep = behaviour.steps['viewer-response'];
  if (viewerResponseStep && !customError && Number(answer.response.status) < 400) {
    answer = await runResponseStep(viewerResponseStep, 'viewer-response', request, answer, eventConfig, context.options.log);
  }
  return finish(answer, notes);
}

type EventConfig = (eventType: EventType) => CloudFrontEvent['Records'][number]['cf']['config'];

/**
 * A function that throws (or returns something CloudFront cannot use) makes CloudFront answer 503
 * (LambdaExecutionError / FunctionExecutionError) instead of the page: the same here, with the
 * error in the log.
 */
async function failing<T>(step: EdgeStep, eventType: EventType, run: () => Promise<T>, log: DevLog, onError: (answer: Answer) => T): Promise<T> {
  try {
    return await run();
  } catch (error) {
    log({ kind: 'error', source: 'cloudfront', message: `${step.lambda ? 'Lambda@Edge' : 'CloudFront Function'} ${step.name} (${eventType}) failed: ${(error as Error).message}` });
    const kind = step.lambda ? 'Lambda function' : 'CloudFront function';
    return onError(textAnswer('503', `503 ERROR: The ${kind} associated with the CloudFront distribution failed (${step.name}, ${eventType}).`));
  }
}

async function runRequestStep(step: EdgeStep, eventType: EventType, request: CloudFrontRequest, config: EventConfig, log: DevLog): Promise<{ request: CloudFrontRequest } | { generated: Answer }> {
  return failing(step, eventType, () => requestStep(step, eventType, request, config), log, (generated) => ({ generated }));
}

async function runResponseStep(step: EdgeStep, eventType: EventType, request: CloudFrontRequest, answer: Answer, config: EventConfig, log: DevLog): Promise<Answer> {
  return failing(step, eventType, () => responseStep(step, eventType, request, answer, config), log, (failed) => failed);
}

async function requestStep(step: EdgeStep, eventType: EventType, request: CloudFrontRequest, config: EventConfig): Promise<{ request: CloudFrontRequest } | { generated: Answer }> {
  if (step.lambda) {
    const result = await step.lambda.handle({ Records: [{ cf: { config: config(eventType), request } }] });
    if ('status' in result) return { generated: lambdaAnswer(result) };
    return { request: result as CloudFrontRequest };
  }
  const event = { version: '1.0', context: config(eventType), viewer: { ip: request.clientIp }, request: toFunctionRequest(request) };
  const result = await step.fn!.run(event);
  if (isFunctionResponse(result)) {
    const { response, body } = fromFunctionResponse(result);
    return { generated: { response, body: body ?? Buffer.alloc(0) } };
  }
  if (!result || typeof result !== 'object' || typeof (result as { uri?: unknown }).uri !== 'string') throw new Error('the handler returned neither a request nor a response');
  return { request: fromFunctionRequest(result as ReturnType<typeof toFunctionRequest>, request) };
}

async function responseStep(step: EdgeStep, eventType: EventType, request: CloudFrontRequest, answer: Answer, config: EventConfig): Promise<Answer> {
  if (step.lambda) {
    const result = (await step.lambda.handle({ Records: [{ cf: { config: config(eventType), request, response: answer.response } }] })) as CloudFrontResponse & { body?: string; bodyEncoding?: string };
    return result.body !== undefined ? lambdaAnswer(result) : { response: result, body: answer.body };
  }
  const event = { version: '1.0', context: config(eventType), viewer: { ip: request.clientIp }, request: toFunctionRequest(request), response: toFunctionResponse(answer.response) };
  const result = await step.fn!.run(event);
  if (!isFunctionResponse(result)) return answer;
  const { response, body } = fromFunctionResponse(result);
  return { response, body: body ?? answer.body };
}

/** A response a Lambda@Edge function generated: its body is text or base64. */
function lambdaAnswer(response: CloudFrontResponse & { body?: string; bodyEncoding?: string }): Answer {
  const { body, bodyEncoding, ...rest } = response;
  return { response: { ...rest, headers: rest.headers ?? {} }, body: body === undefined ? Buffer.alloc(0) : Buffer.from(body, bodyEncoding === 'base64' ? 'base64' : 'utf8') };
}

/** Origin request → origin (an origin group fails over to its next member on the listed codes, for GET, HEAD and OPTIONS) → origin response. */
async function fromOrigin(plan: Plan, behaviour: PlannedBehaviour, request: CloudFrontRequest, body: Buffer, config: EventConfig, context: ServeContext, notes: string[]): Promise<Answer> {
  const group = plan.groups.get(behaviour.targetOriginId);
  const members = group ? group.members : [behaviour.targetOriginId];
  let answer: Answer | undefined;
  for (const [index, originId] of members.entries()) {
    answer = await throughOrigin(plan, behaviour, originId, request, body, config, context);
    const failover = group && index < members.length - 1 && ['GET', 'HEAD', 'OPTIONS'].includes(request.method) && group.statusCodes.includes(Number(answer.response.status));
    if (!failover) break;
    notes.push(`origin ${originId} answered ${answer.response.status}: failing over`);
  }
  return answer!;
}

async function throughOrigin(plan: Plan, behaviour: PlannedBehaviour, originId: string, viewerRequest: CloudFrontRequest, body: Buffer, config: EventConfig, context: ServeContext): Promise<Answer> {
  const origin = plan.origins.get(originId);
  if (!origin) return textAnswer('502', `The distribution has no origin ${originId}.`);
  const forwarded = forwardedRequest(viewerRequest, behaviour.forwarding, origin.domainName);
  let request: CloudFrontRequest = { clientIp: viewerRequest.clientIp, method: viewerRequest.method, uri: viewerRequest.uri, querystring: forwarded.querystring, headers: forwarded.headers, origin: eventOrigin(origin) };
  const originRequestStep = behaviour.steps['origin-request'];
  if (originRequestStep) {
    const result = await runRequestStep(originRequestStep, 'origin-request', request, config, context.options.log);
    // A response generated on origin-request goes to the viewer without the origin-response function.
    if ('generated' in result) return result.generated;
    request = result.request;
  }
  const answer = await fetchOrigin(plan, behaviour, request, body, context, origin);
  const originResponseStep = behaviour.steps['origin-response'];
  return originResponseStep ? runResponseStep(originResponseStep, 'origin-response', request, answer, config, context.options.log) : answer;
}

/**
 * A Lambda@Edge association's version ARN. When the distribution's stack is not in us-east-1, CDK's
 * EdgeFunction lives in a separate us-east-1 stack and the ARN reaches the distribution through a
 * Custom::CrossRegionStringParameterReader (unresolved locally): it is the Value of the
 * AWS::SSM::Parameter, in the edge stack, named as the reader's ParameterName.
 */
function edgeFunctionArn(app: ResolvedApp, value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const text = JSON.stringify(value);
  const readers = app.ofType('Custom::CrossRegionStringParameterReader');
  const reader = readers.find((r) => text.includes(r.logicalId)) ?? (readers.length === 1 ? readers[0] : undefined);
  const name = reader?.properties['ParameterName'];
  const parameter = app.ofType('AWS::SSM::Parameter').find((p) => p.properties['Name'] === name);
  return typeof parameter?.properties['Value'] === 'string' ? parameter.properties['Value'] : undefined;
}

/** The origin as Lambda@Edge's origin-request event shows it. */
function eventOrigin(origin: PlannedOrigin): CloudFrontOrigin {
  if (origin.bucket) return { s3: { domainName: origin.domainName, path: origin.originPath, authMethod: 'none', region: 'us-east-1', customHeaders: origin.customHeaders } };
  return {
    custom: {
      domainName: origin.domainName,
      path: origin.originPath,
      port: origin.custom!.port,
      protocol: origin.custom!.protocol,
      sslProtocols: ['TLSv1.2'],
      readTimeout: origin.custom!.readTimeout,
      keepaliveTimeout: 5,
      customHeaders: origin.customHeaders,
    },
  };
}

/**
 * Reads what the request's origin serves: an S3 bucket (the local bucket, or .sprout/local/site for
 * releases/), an origin served locally (originFor: API Gateway), or any other custom origin over
 * the network. `origin` null: the behaviour's target origin (a custom error page).
 */
async function fetchOrigin(plan: Plan, behaviour: PlannedBehaviour, request: CloudFrontRequest, body: Buffer | undefined, context: ServeContext, origin: PlannedOrigin | null): Promise<Answer> {
  let target = request.origin;
  if (!target) {
    const group = plan.groups.get(behaviour.targetOriginId);
    const planned = origin ?? plan.origins.get(group ? group.members[0]! : behaviour.targetOriginId);
    if (!planned) return textAnswer('502', `The distribution has no origin ${behaviour.targetOriginId}.`);
    target = eventOrigin(planned);
  }
  if (target.s3) {
    const bucket = bucketOfDomain(target.s3.domainName);
    if (!bucket) return textAnswer('502', `${target.s3.domainName} is not an S3 bucket domain.`);
    const key = safeKey(`${target.s3.path}${request.uri}`);
    return context.s3.get({ bucket, key, method: request.method }) as Promise<OriginAnswer>;
  }
  const custom = target.custom!;
  const headers: CloudFrontHeaders = { ...request.headers, ...custom.customHeaders };
  const local = context.options.originFor(custom.domainName);
  const defaultPort = custom.protocol === 'https' ? 443 : 80;
  const base = local ? `${local.replace(/\/$/, '')}${custom.path}` : `${custom.protocol}://${custom.domainName}${custom.port && custom.port !== defaultPort ? `:${custom.port}` : ''}${custom.path}`;
  return fetchCustomOrigin({ base, uri: request.uri, querystring: request.querystring, method: request.method, headers, ...(body ? { body } : {}), timeoutMs: custom.readTimeout * 1000 });
}

/** The S3 key of a request path: without the leading slash, percent-decoding undone as S3 does. */
function safeKey(path: string): string {
  let key = path.replace(/^\/+/, '');
  try {
    key = decodeURIComponent(key);
  } catch {
    // Leave a malformed escape as it came: S3 would not find it either.
  }
  return key;
}

function mapStrings<T>(value: T, map: (text: string) => string): T {
  if (typeof value === 'string') return map(value) as T;
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)])) as T;
  return value;
}

function textAnswer(status: string, text: string): Answer {
  return { response: { status, statusDescription: '', headers: { 'content-type': [{ key: 'Content-Type', value: 'text/plain; charset=utf-8' }] } }, body: Buffer.from(`${text}\n`) };
}

function normalizeIp(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

import { join } from 'node:path';

import { localFlagsFile } from '../feature-flags/local-store.js';
import { localEdgeDir } from '../edge/release-store.js';
import { type DataEmulators, provisionData, startDataEmulators } from './emulators.js';
import { seedLocalFlags } from './flags.js';
import { handlerBaseEnv, withLocalFlags } from './handler-env.js';
import { lateBound } from './late-bound.js';
import { conversionSink } from './metrics-sink.js';
import { PreconditionError } from '../core/errors.js';
import type { LambdaRuntime } from './lambda/index.js';
import { localizeApp, PortInUseError, reservePorts } from './localize.js';
import type { LocalEventBuses, LocalQueues, LocalTopics } from './messaging/index.js';
import type { LocalStateMachines } from './step-functions/index.js';
import { type Deliver, type DevLog, type DevTiming, type LocalEndpoints, LOCAL_REGION, type ResolvedApp, type ResolvedResource } from './types.js';

export interface SandboxApp {
  /** The service name in a workspace, or the project's name. */
  name: string;
  /** The synthesized cloud assembly. */
  assemblyDir: string;
}

export interface SandboxOptions {
  /** The project root (sprout.json): flags, release document and metrics live under its .sprout/local. */
  root: string;
  project: string;
  apps: SandboxApp[];
  /** The first port to serve on (the CloudFront port when the app has a distribution, else the first API); 0 picks free ports. */
  port: number;
  timing: DevTiming;
  log: DevLog;
  /** Data emulators to reuse (a --watch reload keeps the tables and buckets). */
  data?: DataEmulators;
  /** The local AWS endpoint's port to reuse (a --watch reload keeps the URLs scripts were given). */
  awsPort?: number;
}

export interface ServedUrl {
  name: string;
  kind: string;
  url: string;
}

/** What `sprout dev` serves, for the banner and --json. */
export interface SandboxSummary {
  project: string;
  distributions: ServedUrl[];
  apis: ServedUrl[];
  functions: string[];
  tables: string[];
  buckets: string[];
  streams: string[];
  queues: string[];
  topics: string[];
  rules: string[];
  stateMachines: string[];
  flags: { file: string; seeded: string[] };
  /** Where the local services listen (for the AWS CLI or SDK: --endpoint-url). */
  endpoints: LocalEndpoints;
  /** The stacks' outputs with local values (API and CloudFront URLs rewritten to localhost), by stack. */
  outputs: Record<string, Record<string, string>>;
  releaseDocument: string;
  /** Resource types present in the app that sprout dev does not run, with why. */
  notEmulated: Array<{ resource: string; type: string; reason: string }>;
  warnings: string[];
}

export interface RunningSandbox {
  summary: SandboxSummary;
  data: DataEmulators;
  /** Waits until no async invocation, delivery or poll is in progress (tests). */
  idle(): Promise<void>;
  /** Stops everything; with keepData the data emulators stay up for a --watch reload to reuse. */
  close(options?: { keepData?: boolean }): Promise<void>;
}

/**
 * Starts the whole local cloud for synthesized apps: data emulators, the local AWS endpoint,
 * handlers, triggers, APIs and the edge. Anything started is stopped again if a later part fails.
 */
export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const closers: Array<() => Promise<void>> = [];
  const data = options.data ?? (await startDataEmulators());
  try {
    return await assemble(options, data, closers);
  } catch (error) {
    await closeAll(closers);
    if (!options.data) await data.close();
    throw error;
  }
}

async function assemble(options: SandboxOptions, data: DataEmulators, closers: Array<() => Promise<void>>): Promise<RunningSandbox> {
  const { log, timing, root } = options;
  const [model, lambda, messaging, triggers, stepFunctions, apiGateway, edge] = await Promise.all([
    import('./model/index.js'),
    import('./lambda/index.js'),
    import('./messaging/index.js'),
    import('./triggers/index.js'),
    import('./step-functions/index.js'),
    import('./api-gateway/index.js'),
    import('./edge/index.js'),
  ]);

  // The services call each other in a circle (a queue's consumer is a function whose destination
  // is a queue ...): each gets the others' stand-ins, bound once all exist, before any traffic.
  const queues = lateBound<LocalQueues>('SQS');
  const topics = lateBound<LocalTopics>('SNS');
  const buses = lateBound<LocalEventBuses>('EventBridge');
  const invoker = lateBound<LambdaRuntime>('Lambda');
  const stateMachines = lateBound<LocalStateMachines>('Step Functions');
  const deliver: Deliver = messaging.createDeliver(() => ({ queues: queues.proxy, topics: topics.proxy, buses: buses.proxy, invoker: invoker.proxy, stateMachines: stateMachines.proxy }));

  const endpoint = await messaging.startAwsEndpoint(
    { queues: queues.proxy, topics: topics.proxy, buses: buses.proxy, invoker: invoker.proxy, stateMachines: stateMachines.proxy, log },
    { port: options.awsPort },
  );
  closers.push(() => endpoint.close());
  const endpoints: LocalEndpoints = { dynamodb: data.dynamodb, s3: data.s3, kinesis: data.kinesis, aws: endpoint.url };

  // Ports are chosen before anything serves, so the app's own URLs can be made local everywhere
  // (CORS origins, CSP, config.json, handler environments, outputs) before it is read.
  const loaded = await loadApps(model.loadApp, options.apps, endpoints);
  const served = servedHosts(loaded, apiGateway);
  const base = await reservePorts(options.port, served.length).catch((error: unknown) => {
    if (error instanceof PortInUseError) {
      throw new PreconditionError('PORT_IN_USE', `Port ${error.port} is in use, and sprout dev needs ports ${options.port} to ${options.port + served.length - 1}.`, {
        suggestions: ['Stop what uses it, or start on other ports: sprout dev --port 4000 (or --port 0 for free ones).'],
      });
    }
    throw error;
  });
  const app = localizeApp(loaded, new Map(served.map((s, i) => [s.host, `http://127.0.0.1:${base + i}`])));

  const provisioned = await provisionData(app, endpoints, { existing: Boolean(options.data) });
  const seeded = await seedLocalFlags(app, root);
  await edge.deployBuckets({ app, s3: endpoints.s3, log });

  const distributionCount = app.ofType('AWS::CloudFront::Distribution').length;
  const apis = await apiGateway.startApis({ app, invoker: invoker.proxy, endpoints, log, port: base + distributionCount });
  closers.push(() => apis.close());
  const distributions = await edge.startDistributions({ app, root, endpoints, originFor: (domain) => apis.originFor(domain), log, port: base });
  closers.push(() => distributions.close());
  const moved = [...distributions.distributions, ...apis.apis].filter((s, i) => Number(new URL(s.url).port) !== base + i);
  // Another program took a reserved port in between: the localized URLs would point at it.
  if (moved.length) throw new Error(`a port reserved for sprout dev was taken while it started (${moved.map((s) => s.url).join(', ')}); start it again`);

  const flagsFile = localFlagsFile(root);
  const sink = conversionSink(root);
  closers.push(() => sink.flush());
  const runtime = lambda.createLambdaRuntime({
    app,
    functions: lambda.functionsOf(app).map((fn) => ({ ...fn, environment: withLocalFlags(fn.environment, flagsFile) })),
    baseEnv: handlerBaseEnv({ ...endpoints, kinesis: data.kinesisFront }),
    log,
    timing,
    deliver,
    onOutputLine: (_fn, line) => sink.offer(line),
  });
  closers.push(() => runtime.close());
  const localQueues = messaging.createQueues({ app, timing, log });
  closers.push(async () => localQueues.close());
  const localTopics = messaging.createTopics({ app, queues: localQueues, invoker: runtime, deliver, log });
  const localBuses = messaging.createEventBuses({ app, invoker: runtime, deliver, log, timing });
  const machines = stepFunctions.createStateMachines({ app, invoker: runtime, deliver, queues: localQueues, endpoints, log, timing });
  closers.push(() => machines.close());
  invoker.bind(runtime);
  queues.bind(localQueues);
  topics.bind(localTopics);
  buses.bind(localBuses);
  stateMachines.bind(machines);

  const sqsMappings = triggers.startSqsMappings({ app, queues: localQueues, invoker: runtime, log, timing });
  closers.push(() => sqsMappings.close());
  const kinesisMappings = triggers.startKinesisMappings({ app, kinesisEndpoint: data.kinesis, invoker: runtime, deliver, log, timing });
  closers.push(() => kinesisMappings.close());
  await kinesisMappings.ready;
  const notifications = triggers.wireS3Notifications({ app, s3rver: data.s3rver, invoker: runtime, deliver, buses: localBuses, log });
  closers.push(async () => notifications.close());

  const summary: SandboxSummary = {
    project: options.project,
    distributions: distributions.distributions.map((d) => ({ name: d.logicalId, kind: 'cloudfront', url: d.url })),
    apis: apis.apis.map((a) => ({ name: a.name, kind: a.kind, url: a.url })),
    functions: runtime.functions.filter((f) => !f.edge && !f.internal).map((f) => f.name),
    tables: provisioned.tables,
    buckets: provisioned.buckets,
    streams: provisioned.streams,
    queues: app.ofType('AWS::SQS::Queue').map((q) => q.attributes.QueueName ?? q.ref),
    topics: app.ofType('AWS::SNS::Topic').map((t) => t.attributes.TopicName ?? t.ref),
    rules: app.ofType('AWS::Events::Rule').map((r) => r.ref),
    stateMachines: machines.machines().map((m) => m.name),
    flags: { file: flagsFile, seeded },
    // The front, not kinesalite itself: it serves the AWS CLI (HTTP/1.1) and SDK v3's KinesisClient (HTTP/2) alike.
    endpoints: { ...endpoints, kinesis: data.kinesisFront },
    outputs: localOutputs(app),
    releaseDocument: join(localEdgeDir(root), 'release.json'),
    notEmulated: notEmulated(app, model.supportOfResource),
    warnings: [
      ...provisioned.notes,
      ...apis.warnings(),
      ...distributions.warnings(),
      ...machines.machines().flatMap((m) => [...(m.unsupported ? [`state machine ${m.name}: ${m.unsupported}`] : []), ...m.limitations.map((l) => `state machine ${m.name}: ${l}`)]),
      // CDK's own deployment helpers (Python bucket deployment ...) never run locally anyway.
      ...runtime.functions.filter((f) => f.unsupported && !f.internal).map((f) => `function ${f.name}: ${f.unsupported}`),
    ],
  };

  return {
    summary,
    data,
    idle: () => runtime.idle(),
    async close({ keepData = false } = {}) {
      await closeAll(closers);
      if (!keepData) await data.close();
    },
  };
}

/** The hosts the app's resolved values use for what sprout dev serves, in the order ports are handed out: distributions, REST APIs, HTTP APIs. */
function servedHosts(app: ResolvedApp, apiGateway: typeof import('./api-gateway/index.js')): Array<{ host: string }> {
  const distributions = app.ofType('AWS::CloudFront::Distribution').map((d) => ({ host: (d.attributes.DomainName ?? '').toLowerCase() }));
  const apiHost = (id: string) => ({ host: `${id.toLowerCase()}.execute-api.${LOCAL_REGION}.amazonaws.com` });
  return [...distributions, ...apiGateway.readRestApis(app).map((api) => apiHost(api.id)), ...apiGateway.readHttpApis(app).apis.map((api) => apiHost(api.id))];
}

function notEmulated(app: ResolvedApp, supportOf: (resource: ResolvedResource) => { level: string; reason: string }): SandboxSummary['notEmulated'] {
  return app.resources.flatMap((resource) => {
    const support = supportOf(resource);
    return support.level === 'unsupported' ? [{ resource: `${resource.stack}/${resource.logicalId}`, type: resource.type, reason: support.reason }] : [];
  });
}

/** The stacks' outputs by stack (already local: see localizeApp). */
export function localOutputs(app: ResolvedApp): Record<string, Record<string, string>> {
  const outputs: Record<string, Record<string, string>> = {};
  for (const output of app.outputs) (outputs[output.stack] ??= {})[output.key] = output.value;
  return outputs;
}

/** One app, or a workspace's services seen as one app (their stacks have distinct names). */
async function loadApps(load: (dir: string, endpoints: LocalEndpoints) => Promise<ResolvedApp>, apps: SandboxApp[], endpoints: LocalEndpoints): Promise<ResolvedApp> {
  const loaded = await Promise.all(apps.map((app) => load(app.assemblyDir, endpoints)));
  return loaded.length === 1 ? loaded[0]! : mergeApps(loaded);
}

export function mergeApps(apps: ResolvedApp[]): ResolvedApp {
  const resources = apps.flatMap((app) => app.resources);
  // ResolvedApp may be a class: its methods are called, never spread.
  return {
    assemblyDir: apps[0]!.assemblyDir,
    stacks: apps.flatMap((app) => app.stacks),
    resources,
    outputs: apps.flatMap((app) => app.outputs),
    ofType: (type) => resources.filter((r) => r.type === type),
    find: (refOrArn) => apps.map((app) => app.find(refOrArn)).find(Boolean),
    assetDir: (key) => apps.map((app) => app.assetDir(key)).find(Boolean),
  };
}

async function closeAll(closers: Array<() => Promise<void>>): Promise<void> {
  for (const close of [...closers].reverse()) await close().catch(() => undefined);
}

import { basename } from 'node:path';

import type { ResolvedApp, ResolvedResource } from '../types.js';

/** One AWS::Lambda::Function of the app, as the local runtime runs it. */
export interface LocalFunction {
  stack: string;
  logicalId: string;
  /** The function name (its Ref). */
  name: string;
  /** The unqualified function ARN. */
  arn: string;
  /** The Handler property as written ("index.handler", "dist/app.main"). */
  handler: string;
  /** The handler module relative to the code folder without extension ("index", "dist/app") and the export path ("handler"). */
  handlerModule: string;
  handlerExport: string;
  runtime: string;
  /** The bundle's folder (cdk.out/asset.<hash>); undefined for inline code (the runtime writes it out) or code sprout dev cannot find. */
  codeDir: string | undefined;
  /** Code.ZipFile: the source Lambda writes to index.js. */
  inlineCode?: string;
  /** The resolved Environment.Variables (values that could not be resolved locally are left out and named in unresolvedEnvironment). */
  environment: Record<string, string>;
  unresolvedEnvironment: string[];
  timeoutSeconds: number;
  memoryMB: number;
  /** DeadLetterConfig.TargetArn: where failed asynchronous events go. */
  deadLetterArn?: string;
  /** ReservedConcurrentExecutions when set: at most this many environments (0: every invocation is throttled). */
  reservedConcurrency?: number;
  /** The log group the function writes to (LoggingConfig.LogGroup, else /aws/lambda/<name>). */
  logGroupName: string;
  /** A Lambda@Edge function (a version of it is associated with a CloudFront distribution): the edge router runs it. */
  edge: boolean;
  /** The CloudFront event types it is associated with (viewer-request, origin-response ...). */
  edgeEventTypes: string[];
  /** A CDK helper for deployments (custom resource providers, bucket deployment, auto-delete, log retention): not served locally. */
  internal: boolean;
  internalReason?: string;
  /** Why this function cannot run locally (no code folder, container image, a runtime other than Node.js); undefined when it can. */
  unsupported?: string;
}

const DEFAULT_TIMEOUT_SECONDS = 3;
const DEFAULT_MEMORY_MB = 128;

/** Marks of CDK's own deployment-time helper functions, in logical ids, construct paths and handler names. */
const INTERNAL_MARKS: Array<[RegExp, string]> = [
  [/CustomResourceProvider/, 'CDK custom resource provider'],
  [/CDKBucketDeployment/, 'CDK BucketDeployment'],
  [/AWS679f53fac002430cb0da5b7982bd2287/, 'CDK AwsCustomResource'],
  [/BucketNotificationsHandler/, 'CDK S3 bucket notifications handler'],
  [/LogRetention[0-9a-f]{32}/i, 'CDK log retention'],
  [/\/framework-(onEvent|isComplete|onTimeout)\//, 'CDK custom resource provider framework'],
  [/(^|\/)Custom::/, 'CDK custom resource provider'],
];

/** Every Lambda function of the app with what the local runtime needs to run it. */
export function functionsOf(app: ResolvedApp): LocalFunction[] {
  const serviceTokens = customResourceServiceTokens(app);
  const edgeAssociations = edgeAssociationsOf(app);
  return app.ofType('AWS::Lambda::Function').map((resource) => {
    const props = resource.properties;
    const name = resource.ref;
    const arn = resource.attributes.Arn ?? `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
    const handler = text(props.Handler) ?? 'index.handler';
    const { handlerModule, handlerExport } = splitHandler(handler);
    const runtime = text(props.Runtime) ?? '';
    const code = (props.Code ?? {}) as Record<string, unknown>;
    const s3Key = text(code.S3Key);
    const inlineCode = text(code.ZipFile);
    const codeDir = s3Key ? app.assetDir(s3Key) : undefined;
    const { environment, unresolvedEnvironment } = environmentOf(props);
    const internalReason = internalReasonOf(resource, handler) ?? (serviceTokens.has(arn) || serviceTokens.has(name) ? 'custom resource provider (runs at deployment only)' : undefined);
    const edgeEventTypes = edgeAssociations.get(name) ?? [];
    const fn: LocalFunction = {
      stack: resource.stack,
      logicalId: resource.logicalId,
      name,
      arn,
      handler,
      handlerModule,
      handlerExport,
      runtime,
      codeDir,
      ...(inlineCode !== undefined ? { inlineCode } : {}),
      environment,
      unresolvedEnvironment,
      timeoutSeconds: positiveNumber(props.Timeout) ?? DEFAULT_TIMEOUT_SECONDS,
      memoryMB: positiveNumber(props.MemorySize) ?? DEFAULT_MEMORY_MB,
      logGroupName: text((props.LoggingConfig as Record<string, unknown> | undefined)?.LogGroup) ?? `/aws/lambda/${name}`,
      edge: edgeEventTypes.length > 0,
      edgeEventTypes,
      internal: internalReason !== undefined,
      ...(internalReason ? { internalReason } : {}),
    };
    const deadLetterArn = text((props.DeadLetterConfig as Record<string, unknown> | undefined)?.TargetArn);
    if (deadLetterArn) fn.deadLetterArn = deadLetterArn;
    const reserved = Number(props.ReservedConcurrentExecutions);
    if (props.ReservedConcurrentExecutions !== undefined && Number.isInteger(reserved) && reserved >= 0) fn.reservedConcurrency = reserved;
    const unsupported = unsupportedReason(fn, code, s3Key);
    if (unsupported) fn.unsupported = unsupported;
    return fn;
  });
}

/** "dist/app.main" → module "dist/app", export "main"; the same split as the Node.js runtime (first dot of the last path segment). */
export function splitHandler(handler: string): { handlerModule: string; handlerExport: string } {
  const file = basename(handler);
  const root = handler.slice(0, handler.length - file.length);
  const dot = file.indexOf('.');
  if (dot < 0) return { handlerModule: handler, handlerExport: '' };
  return { handlerModule: root + file.slice(0, dot), handlerExport: file.slice(dot + 1) };
}

function unsupportedReason(fn: LocalFunction, code: Record<string, unknown>, s3Key: string | undefined): string | undefined {
  if (fn.runtime && !/^nodejs/.test(fn.runtime)) return `runtime ${fn.runtime} (sprout dev runs Node.js functions)`;
  if (text((code as { ImageUri?: unknown }).ImageUri) || (!fn.runtime && !s3Key && fn.inlineCode === undefined)) return 'container image functions are not run locally';
  if (fn.inlineCode === undefined && !fn.codeDir) return s3Key ? `code ${s3Key} is not a folder asset of this cloud assembly` : 'no code';
  return undefined;
}

function environmentOf(props: Record<string, any>): { environment: Record<string, string>; unresolvedEnvironment: string[] } {
  const variables = (props.Environment?.Variables ?? {}) as Record<string, unknown>;
  const environment: Record<string, string> = {};
  const unresolvedEnvironment: string[] = [];
  for (const [key, value] of Object.entries(variables)) {
    if (typeof value === 'string') environment[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') environment[key] = String(value);
    else unresolvedEnvironment.push(key);
  }
  return { environment, unresolvedEnvironment };
}

function internalReasonOf(resource: ResolvedResource, handler: string): string | undefined {
  const path = typeof resource.metadata['aws:cdk:path'] === 'string' ? resource.metadata['aws:cdk:path'] : '';
  for (const [mark, reason] of INTERNAL_MARKS) {
    if (mark.test(resource.logicalId) || mark.test(path) || mark.test(handler)) return reason;
  }
  return undefined;
}

/** The ARNs (or names) custom resources name as their ServiceToken: those functions only run during a deployment. */
function customResourceServiceTokens(app: ResolvedApp): Set<string> {
  const tokens = new Set<string>();
  for (const resource of app.resources) {
    if (!resource.type.startsWith('Custom::') && resource.type !== 'AWS::CloudFormation::CustomResource') continue;
    const token = text(resource.properties.ServiceToken);
    if (token) tokens.add(token.split(':').slice(0, 7).join(':'));
  }
  return tokens;
}

/** Function name → the CloudFront event types a version (or the function) of it is associated with. */
function edgeAssociationsOf(app: ResolvedApp): Map<string, string[]> {
  const byFunction = new Map<string, string[]>();
  for (const distribution of app.ofType('AWS::CloudFront::Distribution')) {
    const config = (distribution.properties.DistributionConfig ?? {}) as Record<string, any>;
    const behaviors = [config.DefaultCacheBehavior, ...(Array.isArray(config.CacheBehaviors) ? config.CacheBehaviors : [])];
    for (const behavior of behaviors) {
      const associations = Array.isArray(behavior?.LambdaFunctionAssociations) ? behavior.LambdaFunctionAssociations : [];
      for (const association of associations) {
        const name = functionNameOf(app, text(association?.LambdaFunctionARN));
        if (!name) continue;
        const types = byFunction.get(name) ?? [];
        // EventType is required by CloudFront; "viewer-request" stands in should a template omit it.
        const eventType = text(association.EventType) ?? 'viewer-request';
        if (!types.includes(eventType)) types.push(eventType);
        byFunction.set(name, types);
      }
    }
  }
  return byFunction;
}

/** A version ARN, alias ARN or function ARN → the function's name. */
function functionNameOf(app: ResolvedApp, arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  const target = app.find(arn);
  if (target?.type === 'AWS::Lambda::Function') return target.ref;
  if (target && (target.type === 'AWS::Lambda::Version' || target.type === 'AWS::Lambda::Alias')) {
    const fn = text(target.properties.FunctionName);
    if (fn) return functionNameOf(app, fn) ?? nameInArn(fn);
  }
  return nameInArn(arn);
}

/** `arn:aws:lambda:<region>:<account>:function:<name>[:qualifier]` or a plain name → the name. */
function nameInArn(value: string): string {
  const parts = value.split(':');
  const index = parts.indexOf('function');
  return index >= 0 && parts[index + 1] ? parts[index + 1]! : value;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function positiveNumber(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(number) && number > 0 ? number : undefined;
}

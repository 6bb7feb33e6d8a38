import type { LocalEndpoints, ResolvedApp, ResolvedResource } from '../types.js';
import { readAssembly, type Assembly, type AssemblyStack, type CfnTemplate } from './assembly.js';
import { functionArnOf, localIdentity, type LocalIdentity } from './identities.js';
import { TemplateResolver } from './intrinsics.js';
import { isUnresolved, unresolved, type Unresolved } from './unresolved.js';

export interface LoadOptions {
  /** Values for template parameters by name (any stack), instead of their Default. */
  parameters?: Record<string, string>;
}

/** Reads the cloud assembly (cdk.out) and resolves every stack to local names, ARNs and URLs. */
export async function loadApp(assemblyDir: string, endpoints: LocalEndpoints, options: LoadOptions = {}): Promise<ResolvedApp> {
  return buildApp(await readAssembly(assemblyDir), endpoints, options);
}

/** The ResolvedApp of an assembly already read (stacks in deployment order, so imports resolve). */
export function buildApp(assembly: Assembly, endpoints: LocalEndpoints, options: LoadOptions = {}): ResolvedApp {
  const exports = new Map<string, string | Unresolved>();
  const resources: ResolvedResource[] = [];
  const outputs: ResolvedApp['outputs'] = [];
  for (const stack of assembly.stacks) {
    const model = new StackModel(stack, endpoints, exports, options);
    resources.push(...model.resources());
    outputs.push(...model.outputs());
  }
  return new LocalApp(assembly, resources, outputs);
}

class LocalApp implements ResolvedApp {
  readonly assemblyDir: string;
  readonly stacks: string[];
  private readonly index = new Map<string, ResolvedResource>();

  constructor(
    private readonly assembly: Assembly,
    readonly resources: ResolvedResource[],
    readonly outputs: ResolvedApp['outputs'],
  ) {
    this.assemblyDir = assembly.dir;
    this.stacks = assembly.stacks.map((stack) => stack.name);
    // Refs and ARNs first; then other identifying attributes (URLs, domain names) where not taken.
    for (const resource of resources) this.remember(resource.ref, resource);
    for (const resource of resources) {
      for (const [key, value] of Object.entries(resource.attributes)) if (/arn$/i.test(key)) this.remember(value, resource);
    }
    for (const resource of resources) {
      for (const value of Object.values(resource.attributes)) if (/[:/.]/.test(value)) this.remember(value, resource);
    }
  }

  private remember(key: string, resource: ResolvedResource) {
    if (key && !this.index.has(key)) this.index.set(key, resource);
  }

  ofType(type: string): ResolvedResource[] {
    return this.resources.filter((resource) => resource.type === type);
  }

  find(refOrArn: string): ResolvedResource | undefined {
    const found = this.index.get(refOrArn);
    if (found) return found;
    // A qualified Lambda ARN (…:function:name:alias or :$LATEST) with no Version/Alias resource of its own is its function.
    if (/^arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+:.+$/.test(refOrArn)) return this.index.get(functionArnOf(refOrArn));
    return undefined;
  }

  assetDir(objectKey: string): string | undefined {
    const asset = this.assembly.assets.get(objectKey);
    return asset && asset.packaging === 'zip' ? asset.path : undefined;
  }
}

/** One stack: which resources exist (conditions), their local identities, and their resolved properties. */
class StackModel {
  private readonly resolver: TemplateResolver;
  private readonly template: CfnTemplate;
  private readonly identities = new Map<string, LocalIdentity>();
  private readonly inProgress = new Set<string>();
  private readonly propertyCache = new Map<string, unknown>();

  constructor(
    private readonly stack: AssemblyStack,
    private readonly endpoints: LocalEndpoints,
    private readonly exports: Map<string, string | Unresolved>,
    options: LoadOptions,
  ) {
    this.template = stack.template;
    this.resolver = new TemplateResolver(stack.template, {
      stackName: stack.name,
      parameters: options.parameters,
      resourceRef: (logicalId) => this.reference(logicalId, (identity) => identity.ref),
      resourceAttribute: (logicalId, attribute) =>
        this.reference(logicalId, (identity, type) => identity.attributes[attribute] ?? missingAttribute(type, logicalId, attribute)),
      importValue: (name) => this.exports.get(name),
    });
  }

  resources(): ResolvedResource[] {
    const out: ResolvedResource[] = [];
    for (const [logicalId, resource] of Object.entries(this.template.Resources ?? {})) {
      if (!this.exists(logicalId)) continue;
      const identity = this.identity(logicalId);
      const properties = this.resolver.resolve(resource.Properties ?? {});
      out.push({
        stack: this.stack.name,
        logicalId,
        type: resource.Type,
        properties: (properties ?? {}) as Record<string, any>,
        metadata: resource.Metadata ?? {},
        ref: identity.ref,
        attributes: identity.attributes,
      });
    }
    return out;
  }

  outputs(): ResolvedApp['outputs'] {
    const out: ResolvedApp['outputs'] = [];
    for (const [key, output] of Object.entries(this.template.Outputs ?? {})) {
      if (output.Condition && this.resolver.condition(output.Condition) === false) continue;
      const resolved = this.resolver.resolve(output.Value);
      const value = typeof resolved === 'string' ? resolved : isUnresolved(resolved) ? `<unresolved: ${resolved.unresolved}>` : JSON.stringify(resolved);
      const description = typeof output.Description === 'string' ? output.Description : undefined;
      out.push({ stack: this.stack.name, key, value, ...(description !== undefined ? { description } : {}) });
      if (output.Export) {
        const exportName = this.resolver.resolve(output.Export.Name);
        if (typeof exportName === 'string') this.exports.set(exportName, isUnresolved(resolved) ? resolved : value);
      }
    }
    return out;
  }

  /** A resource whose Condition is false is not created; one whose condition cannot be evaluated locally is kept. */
  private exists(logicalId: string): boolean {
    const condition = this.template.Resources?.[logicalId]?.Condition;
    return !condition || this.resolver.condition(condition) !== false;
  }

  private reference(logicalId: string, pick: (identity: LocalIdentity, type: string) => string | Unresolved): string | Unresolved | undefined {
    const resource = this.template.Resources?.[logicalId];
    if (!resource) return undefined;
    if (!this.exists(logicalId)) return unresolved(`${logicalId} is not created: its condition ${resource.Condition} is false`);
    if (this.inProgress.has(logicalId)) return unresolved(`${logicalId}'s name depends on itself`);
    return pick(this.identity(logicalId), resource.Type);
  }

  private identity(logicalId: string): LocalIdentity {
    const cached = this.identities.get(logicalId);
    if (cached) return cached;
    const resource = this.template.Resources![logicalId]!;
    this.inProgress.add(logicalId);
    try {
      const identity = localIdentity({
        stack: this.stack.name,
        logicalId,
        type: resource.Type,
        property: (name) => this.property(logicalId, name),
        endpoints: this.endpoints,
        versionNumber: () => this.versionNumber(logicalId),
      });
      this.identities.set(logicalId, identity);
      return identity;
    } finally {
      this.inProgress.delete(logicalId);
    }
  }

  private property(logicalId: string, name: string): unknown {
    const key = `${logicalId}\u0000${name}`;
    if (!this.propertyCache.has(key)) {
      this.propertyCache.set(key, this.resolver.resolve(this.template.Resources?.[logicalId]?.Properties?.[name]));
    }
    return this.propertyCache.get(key);
  }

  /** Lambda numbers a function's published versions 1, 2, ...: here, in template order. */
  private versionNumber(logicalId: string): number {
    const functionOf = (id: string) => {
      const name = this.property(id, 'FunctionName');
      return typeof name === 'string' ? functionArnOf(name) : undefined;
    };
    const target = functionOf(logicalId);
    let number = 0;
    for (const [id, resource] of Object.entries(this.template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Version' || !this.exists(id)) continue;
      if (id === logicalId) return number + 1;
      if (target !== undefined && functionOf(id) === target) number++;
    }
    return number + 1;
  }
}

function missingAttribute(type: string, logicalId: string, attribute: string): Unresolved {
  if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') {
    return unresolved(`${logicalId}.${attribute} is returned by the custom resource's handler at deploy time`);
  }
  return unresolved(`${type} attribute ${attribute} (of ${logicalId}) has no local value`);
}

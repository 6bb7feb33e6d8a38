import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** One CloudFormation stack of the cloud assembly, as synthesized. */
export interface AssemblyStack {
  /** The stack name CloudFormation would use (the artifact's stackName, else its id). */
  name: string;
  artifactId: string;
  /** The folder holding this stack's manifest (the root cdk.out, or a nested stage assembly). */
  assemblyDir: string;
  template: CfnTemplate;
}

export interface CfnTemplate {
  Parameters?: Record<string, { Type?: string; Default?: unknown; [key: string]: unknown }>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Conditions?: Record<string, unknown>;
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown>; Condition?: string; [key: string]: unknown }>;
  Outputs?: Record<string, { Value: unknown; Description?: string; Condition?: string; Export?: { Name: unknown } }>;
  [key: string]: unknown;
}

export interface Assembly {
  dir: string;
  /** Stacks in deployment order (a stack comes after every stack it depends on). */
  stacks: AssemblyStack[];
  /** S3 object key of a file asset (`<hash>.zip`) → absolute path of its source, with its packaging. */
  assets: Map<string, { path: string; packaging: string }>;
}

interface ManifestArtifact {
  type: string;
  properties?: Record<string, unknown>;
  dependencies?: string[];
  displayName?: string;
}

interface AssetManifest {
  files?: Record<string, { source?: { path?: string; packaging?: string }; destinations?: Record<string, { objectKey?: string }> }>;
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/**
 * Reads a cloud assembly the way the CDK toolkit does: manifest.json's stack artifacts (with
 * nested stage assemblies followed), their templates, and the asset manifests that say which
 * asset folder each `<hash>.zip` S3 key was packaged from.
 */
export async function readAssembly(dir: string): Promise<Assembly> {
  const stacks: AssemblyStack[] = [];
  const assets = new Map<string, { path: string; packaging: string }>();
  await readInto(dir, stacks, assets, new Set());
  return { dir, stacks, assets };
}

async function readInto(dir: string, stacks: AssemblyStack[], assets: Assembly['assets'], visited: Set<string>): Promise<void> {
  if (visited.has(dir)) return;
  visited.add(dir);
  const manifest = await readJson<{ artifacts?: Record<string, ManifestArtifact> }>(join(dir, 'manifest.json'));
  const artifacts = manifest.artifacts ?? {};

  for (const artifact of Object.values(artifacts)) {
    if (artifact.type !== 'cdk:asset-manifest') continue;
    const file = artifact.properties?.['file'];
    if (typeof file !== 'string') continue;
    const assetManifest = await readJson<AssetManifest>(join(dir, file));
    const manifestDir = dirname(join(dir, file));
    for (const entry of Object.values(assetManifest.files ?? {})) {
      const sourcePath = entry.source?.path;
      if (!sourcePath) continue;
      for (const destination of Object.values(entry.destinations ?? {})) {
        if (!destination.objectKey) continue;
        assets.set(destination.objectKey, { path: join(manifestDir, sourcePath), packaging: entry.source?.packaging ?? 'file' });
      }
    }
  }

  const stackIds = Object.keys(artifacts).filter((id) => artifacts[id]!.type === 'aws:cloudformation:stack');
  for (const id of dependencyOrder(stackIds, artifacts)) {
    const artifact = artifacts[id]!;
    const templateFile = artifact.properties?.['templateFile'];
    if (typeof templateFile !== 'string') continue;
    const stackName = artifact.properties?.['stackName'];
    stacks.push({
      name: typeof stackName === 'string' ? stackName : id,
      artifactId: id,
      assemblyDir: dir,
      template: await readJson<CfnTemplate>(join(dir, templateFile)),
    });
  }

  // Stages (cdk.Stage) synthesize into nested assemblies: assembly-<stage>/ with their own manifest.
  for (const artifact of Object.values(artifacts)) {
    if (artifact.type !== 'cdk:cloud-assembly') continue;
    const directoryName = artifact.properties?.['directoryName'];
    if (typeof directoryName === 'string') await readInto(join(dir, directoryName), stacks, assets, visited);
  }
}

/** Depth-first topological order over stack artifacts' dependencies (asset manifests and other artifacts are skipped). */
function dependencyOrder(ids: string[], artifacts: Record<string, ManifestArtifact>): string[] {
  const isStack = new Set(ids);
  const ordered: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string) => {
    if (state.get(id)) return; // done, or a cycle CloudFormation would reject anyway: keep manifest order
    state.set(id, 'visiting');
    for (const dependency of artifacts[id]?.dependencies ?? []) if (isStack.has(dependency)) visit(dependency);
    state.set(id, 'done');
    ordered.push(id);
  };
  for (const id of ids) visit(id);
  return ordered;
}

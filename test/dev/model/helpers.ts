import type { Assembly, CfnTemplate } from '../../../src/dev/model/assembly.js';
import { buildApp } from '../../../src/dev/model/app.js';
import type { LocalEndpoints, ResolvedApp } from '../../../src/dev/types.js';

export const endpoints: LocalEndpoints = {
  dynamodb: 'http://127.0.0.1:4566',
  s3: 'http://127.0.0.1:4567',
  kinesis: 'http://127.0.0.1:4568',
  aws: 'http://127.0.0.1:4569',
};

/** A ResolvedApp of in-memory templates, one stack each, in the given (deployment) order. */
export function appOf(stacks: Record<string, CfnTemplate>, options: { parameters?: Record<string, string> } = {}): ResolvedApp {
  const assembly: Assembly = {
    dir: '/assembly',
    stacks: Object.entries(stacks).map(([name, template]) => ({ name, artifactId: name, assemblyDir: '/assembly', template })),
    assets: new Map(),
  };
  return buildApp(assembly, endpoints, options);
}

export function resource(app: ResolvedApp, logicalId: string) {
  const found = app.resources.find((item) => item.logicalId === logicalId);
  if (!found) throw new Error(`no resource ${logicalId}`);
  return found;
}

import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll } from 'vitest';
import { glueName, resolveConfig } from '../../infra/config.js';
import { DataLakeStack } from '../../infra/stacks/data-lake-stack.js';
import { type TestApp, testApp } from '../sprout/cdk-app.js';

export const sprout = JSON.parse(readFileSync(new URL('../../sprout.json', import.meta.url), 'utf8'));

/** The stack's name for the local stage, and the Glue database named after it. */
export const localStackName = resolveConfig(sprout).stackName;
export const localDatabase = glueName(localStackName);

export type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

/**
 * Synthesizes the stack with sprout.json's options overridden by `options`. Without `bundle` the
 * functions are not built (the tree is the same); the apps are cleaned up after the test file.
 */
export function synthStack(options: Record<string, unknown> = {}, { bundle = false } = {}): { template: Template; app: TestApp } {
  const test = testApp({ bundle });
  apps.push(test);
  const config = resolveConfig({ ...sprout, options: { ...sprout.options, ...options } });
  return { template: Template.fromStack(new DataLakeStack(test.app, config.stackName, { config })), app: test };
}

const apps: TestApp[] = [];
afterAll(() => {
  for (const app of apps.splice(0)) app.cleanUp();
});

/** The one resource of `type` whose logical id starts with `prefix`. */
export function byPrefix(template: Template, type: string, prefix: string): [string, Resource] {
  const matches = Object.entries(template.findResources(type) as Record<string, Resource>).filter(([id]) => id.startsWith(prefix));
  if (matches.length !== 1) throw new Error(`expected one ${type} ${prefix}*, found ${matches.length}`);
  return matches[0]!;
}

/** The Glue table called `name`. */
export function glueTable(template: Template, name: string): Resource['Properties'] {
  const tables = Object.values(template.findResources('AWS::Glue::Table') as Record<string, Resource>).filter((t) => t.Properties.TableInput.Name === name);
  if (tables.length !== 1) throw new Error(`expected one Glue table ${name}, found ${tables.length}`);
  return tables[0]!.Properties;
}

/** An intrinsic as one readable string: references written <Ref> and <LogicalId.Attribute>, ids without their hash. */
export function flatten(node: unknown): string {
  if (typeof node === 'string') return node;
  const intrinsic = node as Record<string, any>;
  if (intrinsic['Fn::Join']) return intrinsic['Fn::Join'][1].map(flatten).join(intrinsic['Fn::Join'][0]);
  const unhashed = (id: string) => id.replace(/[0-9A-F]{8}$/, '');
  if (intrinsic['Fn::GetAtt']) return `<${unhashed(intrinsic['Fn::GetAtt'][0])}.${intrinsic['Fn::GetAtt'][1]}>`;
  if (intrinsic.Ref) return `<${unhashed(intrinsic.Ref)}>`;
  return JSON.stringify(node);
}

/** A table property with the bucket reference replaced by `bucketName` (as CloudFormation would). */
export function withBucket(node: unknown, bucketName: string): string {
  return flatten(node).replace(/<(Raw|Curated)>/, bucketName);
}

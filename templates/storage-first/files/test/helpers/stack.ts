import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { resolveConfig } from '../../infra/config.js';
import { StorageFirstStack } from '../../infra/stacks/storage-first-stack.js';
import { type TestApp, testApp } from '../sprout/cdk-app.js';

export const sprout = JSON.parse(readFileSync(new URL('../../sprout.json', import.meta.url), 'utf8'));

export type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };

const apps: TestApp[] = [];

/** The stack as `cdk synth` builds it from sprout.json, with `options` changed (no bundling unless asked). */
export function synth(options: Record<string, unknown> = {}, { bundle = false } = {}): Template {
  const test = testApp({ bundle });
  apps.push(test);
  const config = resolveConfig({ ...sprout, options: { ...sprout.options, ...options } });
  return Template.fromStack(new StorageFirstStack(test.app, config.stackName, { config }));
}

export function cleanUpApps(): void {
  for (const app of apps.splice(0)) app.cleanUp();
}

/** The one resource of `type` whose logical id starts with `prefix`. */
export function resource(template: Template, type: string, prefix: string): [string, Resource] {
  const matches = Object.entries(template.findResources(type) as Record<string, Resource>).filter(([id]) => id.startsWith(prefix));
  if (matches.length !== 1) throw new Error(`expected one ${type} ${prefix}*, found ${matches.length}`);
  return matches[0]!;
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

/** The POST /orders method's integration. */
export function ordersIntegration(template: Template): Record<string, any> {
  const methods = Object.values(template.findResources('AWS::ApiGateway::Method') as Record<string, Resource>).filter(
    (method) => method.Properties.HttpMethod === 'POST',
  );
  if (methods.length !== 1) throw new Error(`expected one POST method, found ${methods.length}`);
  return methods[0]!.Properties.Integration;
}

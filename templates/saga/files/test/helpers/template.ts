import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { resolveConfig } from '../../infra/config.js';
import { SagaStack } from '../../infra/stacks/saga-stack.js';
import { ENTRIES, type SagaFunction } from '../../src/lib/saga.js';
import { testApp } from '../sprout/cdk-app.js';

export const sprout = JSON.parse(readFileSync(new URL('../../sprout.json', import.meta.url), 'utf8'));
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };
export type Resources = Record<string, Resource>;

/** The stack as `cdk synth` builds it from sprout.json with these options (no bundling: the tests read the template). */
export function synthesize(options: Record<string, unknown> = {}): Template {
  const test = testApp({ bundle: false });
  try {
    const config = resolveConfig({ ...sprout, options: { ...sprout.options, ...options } });
    return Template.fromStack(new SagaStack(test.app, config.stackName, { config }));
  } finally {
    test.cleanUp();
  }
}

/** The ARN or URL a deployed resource would have, made from its logical id (what the tests route by). */
function attribute(resources: Resources, id: string, attr: 'Arn' | 'Ref'): string {
  const type = resources[id]?.Type;
  if (type === 'AWS::Lambda::Function' && attr === 'Arn') return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
  if (type === 'AWS::SQS::Queue') return attr === 'Arn' ? `arn:aws:sqs:${REGION}:${ACCOUNT}:${id}` : `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${id}`;
  if (type === 'AWS::Events::EventBus') return attr === 'Arn' ? `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${id}` : id;
  throw new Error(`No fake ${attr} for ${id} (${type})`);
}

/** Resolves Ref, Fn::GetAtt and Fn::Join in a template value the way CloudFormation would, with fake ARNs. */
export function resolve(resources: Resources, node: unknown): any {
  if (Array.isArray(node)) return node.map((child) => resolve(resources, child));
  if (typeof node !== 'object' || node === null) return node;
  const intrinsic = node as Record<string, any>;
  if ('Ref' in intrinsic) {
    const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::URLSuffix': 'amazonaws.com' };
    return pseudo[intrinsic.Ref] ?? attribute(resources, intrinsic.Ref, 'Ref');
  }
  if ('Fn::GetAtt' in intrinsic) return attribute(resources, intrinsic['Fn::GetAtt'][0], intrinsic['Fn::GetAtt'][1]);
  if ('Fn::Join' in intrinsic) return (resolve(resources, intrinsic['Fn::Join'][1]) as string[]).join(intrinsic['Fn::Join'][0]);
  return Object.fromEntries(Object.entries(intrinsic).map(([key, value]) => [key, resolve(resources, value)]));
}

/**
 * The saga function a logical id belongs to: SproutFunction `<Name>` makes `<Name>Function<hash>`.
 * The tests route by it, so renaming a function (or pointing a state or rule at the wrong one)
 * breaks them.
 */
export function sagaFunctionOf(logicalId: string): SagaFunction {
  const fn = (Object.keys(ENTRIES) as SagaFunction[]).find((name) => new RegExp(`^${name}Function[0-9A-F]{8}$`).test(logicalId));
  if (!fn) throw new Error(`${logicalId} is not one of the saga's functions`);
  return fn;
}

/** The logical id behind a fake ARN made by resolve(). */
export const logicalIdOfArn = (arn: string): string => arn.split(/[:/]/).pop()!;

type Handler = (event: unknown, context: import('aws-lambda').Context) => Promise<unknown>;

/** The project's own handler of a saga function (import it after the environment is set). */
export async function handlerOf(fn: SagaFunction): Promise<Handler> {
  return (await import(`../../src/functions/${ENTRIES[fn]}.ts`)).handler as Handler;
}

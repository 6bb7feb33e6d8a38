import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig, resolveConfig } from './config.js';
import { readSproutDeployment } from './sprout/deployment.js';
import type { SproutFile } from './sprout/project-config.js';
import { OrderStreamStack } from './stacks/order-stream-stack.js';

/**
 * Adds this project's stack to `app` and checks it with cdk-nag's AwsSolutions
 * pack. Shared by infra/app.ts (the CDK CLI's entry point) and the tests, which may pass a
 * sprout.json of their own to build the stack with other options.
 */
export function buildApp(app: App, sprout?: SproutFile): OrderStreamStack {
  const deployment = readSproutDeployment(app);
  const stage = app.node.tryGetContext('stage') as string | undefined;
  const config = sprout ? resolveConfig(sprout, stage, deployment) : loadConfig(stage, deployment);
  const stack = new OrderStreamStack(app, config.stackName, {
    config,
    env: config.env,
    description: `${config.projectName} (${config.stage}): Kinesis order events and their ordered, idempotent Lambda consumer`,
  });
  Tags.of(stack).add('sprout:project', deployment?.project ?? config.projectName);
  if (deployment) Tags.of(stack).add('sprout:service', deployment.service);
  Tags.of(stack).add('sprout:stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

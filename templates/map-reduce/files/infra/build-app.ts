import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig, type Options } from './config.js';
import { readSproutDeployment } from './sprout/deployment.js';
import { MapReduceStack } from './stacks/map-reduce-stack.js';

/**
 * Adds this project's stack to `app` and checks it with cdk-nag's AwsSolutions pack. Shared by
 * infra/app.ts (the CDK CLI's entry point) and the tests, which pass `options` to build a variant
 * (Standard children, a failure tolerance…) without editing sprout.json.
 */
export function buildApp(app: App, options: Partial<Options> = {}): MapReduceStack {
  const deployment = readSproutDeployment(app);
  const config = loadConfig(app.node.tryGetContext('stage') as string | undefined, deployment, options);
  const stack = new MapReduceStack(app, config.stackName, {
    config,
    env: config.env,
    description: `${config.projectName} (${config.stage}): word count map reduce on a Step Functions Distributed Map`,
  });
  Tags.of(stack).add('sprout:project', deployment?.project ?? config.projectName);
  if (deployment) Tags.of(stack).add('sprout:service', deployment.service);
  Tags.of(stack).add('sprout:stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

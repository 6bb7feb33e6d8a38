import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig, type Options } from './config.js';
import { readSproutDeployment } from './sprout/deployment.js';
import { StorageFirstStack } from './stacks/storage-first-stack.js';

/**
 * Adds this project's stack to `app` and checks it with cdk-nag's AwsSolutions
 * pack. Shared by infra/app.ts (the CDK CLI's entry point) and the tests, which pass
 * `optionOverrides` to check the other option values without editing sprout.json.
 */
export function buildApp(app: App, optionOverrides: Partial<Options> = {}): StorageFirstStack {
  const deployment = readSproutDeployment(app);
  const loaded = loadConfig(app.node.tryGetContext('stage') as string | undefined, deployment);
  const config = { ...loaded, options: { ...loaded.options, ...optionOverrides } };
  const stack = new StorageFirstStack(app, config.stackName, {
    config,
    env: config.env,
    description: `${config.projectName} (${config.stage}): storage-first orders API (${config.options.buffer === 'sqs' ? 'SQS' : 'Kinesis'})`,
  });
  Tags.of(stack).add('sprout:project', deployment?.project ?? config.projectName);
  if (deployment) Tags.of(stack).add('sprout:service', deployment.service);
  Tags.of(stack).add('sprout:stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

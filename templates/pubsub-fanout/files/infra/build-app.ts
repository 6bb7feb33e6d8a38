import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from './config.js';
import { readSproutDeployment } from './sprout/deployment.js';
import { ImageFanoutStack } from './stacks/image-fanout-stack.js';

/**
 * Adds this project's stack to `app` and checks it with cdk-nag's AwsSolutions
 * pack. Shared by infra/app.ts (the CDK CLI's entry point) and the tests.
 */
export function buildApp(app: App): ImageFanoutStack {
  const deployment = readSproutDeployment(app);
  const config = loadConfig(app.node.tryGetContext('stage') as string | undefined, deployment);
  const stack = new ImageFanoutStack(app, config.stackName, {
    config,
    env: config.env,
    description: `${config.projectName} (${config.stage}): S3 upload -> SNS -> SQS fan-out to resize, thumbnail and metadata`,
  });
  Tags.of(stack).add('sprout:project', deployment?.project ?? config.projectName);
  if (deployment) Tags.of(stack).add('sprout:service', deployment.service);
  Tags.of(stack).add('sprout:stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

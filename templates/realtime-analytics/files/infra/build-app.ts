import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig, resolveConfig } from './config.js';
import { readSproutDeployment } from './sprout/deployment.js';
import type { SproutFile } from './sprout/project-config.js';
import { AnalyticsStack } from './stacks/analytics-stack.js';

/**
 * Adds this project's stack to `app` and checks it with cdk-nag's AwsSolutions
 * pack. Shared by infra/app.ts (the CDK CLI's entry point) and the tests, which may pass a
 * sprout.json of their own to build the stack with other options.
 */
export function buildApp(app: App, sprout?: SproutFile): AnalyticsStack {
  const deployment = readSproutDeployment(app);
  const stage = app.node.tryGetContext('stage') as string | undefined;
  const config = sprout ? resolveConfig(sprout, stage, deployment) : loadConfig(stage, deployment);
  const stack = new AnalyticsStack(app, config.stackName, {
    config,
    env: config.env,
    description: `${config.projectName} (${config.stage}): Kinesis metrics aggregated per key in Lambda tumbling windows, anomalies to SNS`,
  });
  Tags.of(stack).add('sprout:project', deployment?.project ?? config.projectName);
  if (deployment) Tags.of(stack).add('sprout:service', deployment.service);
  Tags.of(stack).add('sprout:stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig, type Options } from './config.js';
import { readSproutDeployment } from './sprout/deployment.js';
import { DataLakeStack } from './stacks/data-lake-stack.js';

/**
 * Adds this project's stack to `app` and checks it with cdk-nag's AwsSolutions
 * pack. Shared by infra/app.ts (the CDK CLI's entry point) and the tests, which pass `options` to
 * build a variant (a KMS key, gzip JSON Lines…) without editing sprout.json.
 */
export function buildApp(app: App, options: Partial<Options> = {}): DataLakeStack {
  const deployment = readSproutDeployment(app);
  const config = loadConfig(app.node.tryGetContext('stage') as string | undefined, deployment, options);
  const stack = new DataLakeStack(app, config.stackName, {
    config,
    env: config.env,
    description: `${config.projectName} (${config.stage}): data lake with raw, curated (${config.options.curatedFormat}) and analytics zones, a Glue catalog and an Athena workgroup`,
  });
  Tags.of(stack).add('sprout:project', deployment?.project ?? config.projectName);
  if (deployment) Tags.of(stack).add('sprout:service', deployment.service);
  Tags.of(stack).add('sprout:stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

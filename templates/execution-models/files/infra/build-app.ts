import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig, type Options } from './config.js';
import { readSproutDeployment } from './sprout/deployment.js';
import { ExecutionModelsStack } from './stacks/execution-models-stack.js';

/**
 * Adds this project's stack to `app` and checks it with cdk-nag's AwsSolutions
 * pack. Shared by infra/app.ts (the CDK CLI's entry point) and the tests, which pass `options` to
 * check another variant (the Kinesis stream source) without editing sprout.json.
 */
export function buildApp(app: App, options: Partial<Options> = {}): ExecutionModelsStack {
  const deployment = readSproutDeployment(app);
  const loaded = loadConfig(app.node.tryGetContext('stage') as string | undefined, deployment);
  const config = { ...loaded, options: { ...loaded.options, ...options } };
  const stack = new ExecutionModelsStack(app, config.stackName, {
    config,
    env: config.env,
    description: `${config.projectName} (${config.stage}): Lambda execution models (synchronous, asynchronous, ${config.options.streamSource} polling)`,
  });
  Tags.of(stack).add('sprout:project', deployment?.project ?? config.projectName);
  if (deployment) Tags.of(stack).add('sprout:service', deployment.service);
  Tags.of(stack).add('sprout:stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig, type Options } from './config.js';
import { readSproutDeployment } from './sprout/deployment.js';
import { SagaStack } from './stacks/saga-stack.js';

/**
 * Adds this project's stack to `app` and checks it with cdk-nag's AwsSolutions
 * pack. Shared by infra/app.ts (the CDK CLI's entry point) and the tests.
 */
export function buildApp(app: App, optionOverrides: Partial<Options> = {}): SagaStack {
  const deployment = readSproutDeployment(app);
  const loaded = loadConfig(app.node.tryGetContext('stage') as string | undefined, deployment);
  // The tests build the other coordination this way; sprout.json's options are what `cdk synth` uses.
  const config = { ...loaded, options: { ...loaded.options, ...optionOverrides } };
  const stack = new SagaStack(app, config.stackName, {
    config,
    env: config.env,
    description: `${config.projectName} (${config.stage}): order saga by ${config.options.coordination}`,
  });
  Tags.of(stack).add('sprout:project', deployment?.project ?? config.projectName);
  if (deployment) Tags.of(stack).add('sprout:service', deployment.service);
  Tags.of(stack).add('sprout:stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

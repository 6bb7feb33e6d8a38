import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from './config.js';
import { readSproutDeployment } from './sprout/deployment.js';
import { EventDrivenStack } from './stacks/event-driven-stack.js';

/**
 * Adds this project's stack to `app` and checks it with cdk-nag's AwsSolutions
 * pack. Shared by infra/app.ts (the CDK CLI's entry point) and the tests.
 */
export function buildApp(app: App): EventDrivenStack {
  const deployment = readSproutDeployment(app);
  const config = loadConfig(app.node.tryGetContext('stage') as string | undefined, deployment);
  const stack = new EventDrivenStack(app, config.stackName, {
    config,
    env: config.env,
    description: `${config.projectName} (${config.stage}): uploads under ${config.options.inputPrefix || '/'}*${config.options.inputSuffix} processed by Lambda into an output bucket`,
  });
  Tags.of(stack).add('sprout:project', deployment?.project ?? config.projectName);
  if (deployment) Tags.of(stack).add('sprout:service', deployment.service);
  Tags.of(stack).add('sprout:stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

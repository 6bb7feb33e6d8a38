import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from './config.js';
import { readSproutDeployment } from './sprout/deployment.js';
import { CircuitBreakerStack } from './stacks/circuit-breaker-stack.js';

/**
 * Adds this project's stack to `app` and checks it with cdk-nag's AwsSolutions
 * pack. Shared by infra/app.ts (the CDK CLI's entry point) and the tests.
 */
export function buildApp(app: App): CircuitBreakerStack {
  const deployment = readSproutDeployment(app);
  const config = loadConfig(app.node.tryGetContext('stage') as string | undefined, deployment);
  const stack = new CircuitBreakerStack(app, config.stackName, {
    config,
    env: config.env,
    description: `${config.projectName} (${config.stage}): circuit breaker in front of ${config.options.downstreamUrl}`,
  });
  Tags.of(stack).add('sprout:project', deployment?.project ?? config.projectName);
  if (deployment) Tags.of(stack).add('sprout:service', deployment.service);
  Tags.of(stack).add('sprout:stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

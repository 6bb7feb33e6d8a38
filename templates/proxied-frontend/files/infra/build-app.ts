import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig, type Options } from './config.js';
import { readSproutDeployment } from './sprout/deployment.js';
import { ProxiedFrontendStack } from './stacks/proxied-frontend-stack.js';

/**
 * Adds this project's stack to `app` and checks it with cdk-nag's AwsSolutions
 * pack. Shared by infra/app.ts (the CDK CLI's entry point) and the tests, which may override
 * options of sprout.json to check other settings.
 */
export function buildApp(app: App, overrides: { options?: Partial<Options> } = {}): ProxiedFrontendStack {
  const deployment = readSproutDeployment(app);
  const loaded = loadConfig(app.node.tryGetContext('stage') as string | undefined, deployment);
  const config = { ...loaded, options: { ...loaded.options, ...overrides.options } };
  const stack = new ProxiedFrontendStack(app, config.stackName, {
    config,
    env: config.env,
    description: `${config.projectName} (${config.stage}): UI and items API behind one CloudFront distribution`,
  });
  Tags.of(stack).add('sprout:project', deployment?.project ?? config.projectName);
  if (deployment) Tags.of(stack).add('sprout:service', deployment.service);
  Tags.of(stack).add('sprout:stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadPlatformConfig } from './config.js';
import { readPlatformContext } from './context.js';
import { PlatformStack } from './platform-stack.js';

/**
 * Adds the platform stack to `app` and checks it with cdk-nag's AwsSolutions pack.
 * Shared by infra/app.ts (the CDK CLI's entry point) and the tests.
 */
export function buildApp(app: App): PlatformStack {
  const config = loadPlatformConfig(readPlatformContext(app));
  const stack = new PlatformStack(app, config.stackName, {
    config,
    env: config.env,
    description: `${config.project} (${config.stage}): shared platform, ${config.domain.mode} mode for ${config.domain.rootDomain}`,
  });
  Tags.of(stack).add('sprout:project', config.project);
  Tags.of(stack).add('sprout:service', 'platform');
  Tags.of(stack).add('sprout:stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

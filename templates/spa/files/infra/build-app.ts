import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig, type Options } from './config.js';
import { readSproutDeployment } from './sprout/deployment.js';
import { SpaStack } from './stacks/spa-stack.js';

/**
 * Adds this project's stack to `app` and checks it with cdk-nag's AwsSolutions
 * pack. Shared by infra/app.ts (the CDK CLI's entry point) and the tests, which may override
 * options of sprout.json to check other settings.
 *
 * With the release router (a Lambda@Edge function, which lives in us-east-1), a stack without
 * sprout:deployment is put in us-east-1 (see SpaStack); through `sprout deploy` it is in the
 * stage's region and the router in an `edge-lambda-stack-…` stack in us-east-1.
 */
export function buildApp(app: App, overrides: { options?: Partial<Options> } = {}): SpaStack {
  const deployment = readSproutDeployment(app);
  const loaded = loadConfig(app.node.tryGetContext('stage') as string | undefined, deployment);
  const config = { ...loaded, options: { ...loaded.options, ...overrides.options } };
  const stack = new SpaStack(app, config.stackName, {
    config,
    env: config.env,
    description: `${config.projectName} (${config.stage}): single-page application on CloudFront with its items API`,
  });
  // The app, not the stack: the us-east-1 edge stack (the release router and its bucket) gets the same tags.
  Tags.of(app).add('sprout:project', deployment?.project ?? config.projectName);
  if (deployment) Tags.of(app).add('sprout:service', deployment.service);
  Tags.of(app).add('sprout:stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

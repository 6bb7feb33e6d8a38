import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig, type Options } from './config.js';
import { readSproutDeployment } from './sprout/deployment.js';
import { SecuredSpaStack } from './stacks/secured-spa-stack.js';

/**
 * Adds this project's stack to `app` and checks it with cdk-nag's AwsSolutions pack. Shared by
 * infra/app.ts (the CDK CLI's entry point) and the tests, which may override options of sprout.json.
 *
 * Lambda@Edge functions live in us-east-1, and CDK's EdgeFunction needs to know the stack's region:
 * through `sprout deploy` it is the stage's region (functions then go to an `edge-lambda-stack-…`
 * stack in us-east-1); with plain `cdk deploy` (no sprout:deployment) the stack is in us-east-1,
 * in whichever account the credentials belong to.
 */
export function buildApp(app: App, overrides: { options?: Partial<Options> } = {}): SecuredSpaStack {
  const deployment = readSproutDeployment(app);
  const loaded = loadConfig(app.node.tryGetContext('stage') as string | undefined, deployment);
  const config = { ...loaded, options: { ...loaded.options, ...overrides.options } };
  const stack = new SecuredSpaStack(app, config.stackName, {
    config,
    env: config.env ?? { region: 'us-east-1' },
    description: `${config.projectName} (${config.stage}): secured single-page application (Cognito, Lambda@Edge) with its items API`,
  });
  // The app, not the stack: the us-east-1 edge stack gets the same tags.
  Tags.of(app).add('sprout:project', deployment?.project ?? config.projectName);
  if (deployment) Tags.of(app).add('sprout:service', deployment.service);
  Tags.of(app).add('sprout:stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

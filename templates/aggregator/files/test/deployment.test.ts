import { Template } from 'aws-cdk-lib/assertions';
import { expect, it } from 'vitest';
import { buildApp } from '../infra/build-app.js';
import { resolveConfig } from '../infra/config.js';
import { describeSproutDeployment, SPROUT_DEPLOYMENT, stackBuilder } from './sprout/deployment.js';

describeSproutDeployment({ buildApp, resolveConfig, taggedResourceType: 'AWS::Lambda::Function', domain: 'rest-api' });

const build = stackBuilder(buildApp);

it("calls the demo sources on the stage sprout decided, in the account's region", () => {
  const [, fn] = Object.entries(Template.fromStack(build(SPROUT_DEPLOYMENT)).findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('AggregateFunction'))!;
  expect(JSON.stringify(fn.Properties.Environment.Variables.SELF_BASE_URL)).toMatch(/\.execute-api\.eu-west-1\..*\/prod"/);
});

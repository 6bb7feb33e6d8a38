import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { expect, it } from 'vitest';
import { buildApp } from '../infra/build-app.js';
import { resolveConfig } from '../infra/config.js';
import { describeSproutDeployment, SPROUT_DEPLOYMENT, stackBuilder } from './sprout/deployment.js';

describeSproutDeployment({ buildApp, resolveConfig, taggedResourceType: 'AWS::DynamoDB::Table', domain: 'rest-api' });

const build = stackBuilder(buildApp);

it('routes the same table on every stage', () => {
  const methods = (stack: Stack) =>
    Object.values(Template.fromStack(stack).findResources('AWS::ApiGateway::Method')).map((m) => m.Properties.Integration.Type).sort();
  expect(methods(build(SPROUT_DEPLOYMENT))).toEqual(methods(build()));
});

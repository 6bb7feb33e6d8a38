import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { it } from 'vitest';
import { buildApp } from '../infra/build-app.js';
import { resolveConfig, toResourceName } from '../infra/config.js';
import { describeSproutDeployment, SPROUT_DEPLOYMENT, stackBuilder } from './sprout/deployment.js';

describeSproutDeployment({
  buildApp,
  resolveConfig,
  taggedResourceType: 'AWS::DynamoDB::Table',
  domain: { refusedWith: 'the saga pattern has no HTTP endpoint (orders start with aws stepfunctions start-execution or aws events put-events)' },
});

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const build = stackBuilder((app) => buildApp(app, { coordination: 'choreography' }));

it("names the choreography's event bus after the project (sprout.json) and the stage sprout decided", () => {
  Template.fromStack(build({ ...SPROUT_DEPLOYMENT, stage: 'dev', stackName: 'shop-orders-dev' })).hasResourceProperties('AWS::Events::EventBus', { Name: `${toResourceName(sprout.name)}-dev-orders` });
});

import { Template } from 'aws-cdk-lib/assertions';
import { it } from 'vitest';
import { buildApp } from '../infra/build-app.js';
import { resolveConfig } from '../infra/config.js';
import { describeSproutDeployment, SPROUT_DEPLOYMENT, stackBuilder } from './sprout/deployment.js';

describeSproutDeployment({
  buildApp,
  resolveConfig,
  taggedResourceType: 'AWS::StepFunctions::StateMachine',
  domain: { refusedWith: 'the map-reduce pattern has no HTTP endpoint (jobs start with aws stepfunctions start-execution)' },
});

const build = stackBuilder(buildApp);

it('names the execution log group after the stack sprout decided', () => {
  Template.fromStack(build(SPROUT_DEPLOYMENT)).hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/vendedlogs/states/shop-orders-prod-word-count' });
});

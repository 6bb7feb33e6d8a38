import type { App } from 'aws-cdk-lib';
import { describe } from 'vitest';
import { buildApp } from '../infra/build-app.js';
import { describeAwsSolutions } from './sprout/nag.js';

const prod = { stage: 'prod', project: 'shop', service: 'orders', stackName: 'shop-orders-prod', account: '111111111111', region: 'eu-west-1' };

describe('orchestration (Step Functions)', () => {
  describeAwsSolutions((app: App) => buildApp(app, { coordination: 'orchestration' }), { deployments: [['prod', prod]] });
});

describe('choreography (EventBridge)', () => {
  describeAwsSolutions((app: App) => buildApp(app, { coordination: 'choreography' }), { deployments: [['prod', prod]] });
});

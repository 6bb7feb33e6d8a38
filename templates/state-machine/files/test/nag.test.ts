import type { App } from 'aws-cdk-lib';
import { buildApp } from '../infra/build-app.js';
import { describeAwsSolutions } from './sprout/nag.js';

// No custom domain here: the pattern has no HTTP endpoint (test/deployment.test.ts proves it refuses one).
describeAwsSolutions(buildApp, {
  deployments: [['prod', { stage: 'prod', project: 'shop', service: 'orders', stackName: 'shop-orders-prod', account: '111111111111', region: 'eu-west-1' }]],
});

// The options change the state machine, its logging and its acknowledgements (AwsSolutions-SF1 is
// acknowledged only below log level ALL).
describeAwsSolutions((app: App) => buildApp(app, { workflowType: 'express', logLevel: 'ERROR' }));
describeAwsSolutions((app: App) => buildApp(app, { logLevel: 'FATAL', maxRetryAttempts: 0 }));

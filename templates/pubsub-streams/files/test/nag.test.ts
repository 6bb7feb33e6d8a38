import { readFileSync } from 'node:fs';
import type { App } from 'aws-cdk-lib';
import { buildApp } from '../infra/build-app.js';
import { describeAwsSolutions } from './sprout/nag.js';

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const prod = { stage: 'prod', project: 'shop', service: 'orders', stackName: 'shop-orders-prod', account: '111111111111', region: 'eu-west-1' };

describeAwsSolutions(buildApp, { name: 'sprout.json options', deployments: [['prod', prod]] });

// The other capacity mode and the options' extremes: the stack changes, the findings must not.
describeAwsSolutions(
  (app: App) => buildApp(app, { ...sprout, options: { capacityMode: 'provisioned', shardCount: 4, parallelizationFactor: 10, batchSize: 10_000, maxRetryAttempts: 0 } }),
  { name: 'provisioned, option extremes', deployments: [['prod', prod]] },
);

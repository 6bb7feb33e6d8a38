import { readFileSync } from 'node:fs';
import type { App } from 'aws-cdk-lib';
import { buildApp } from '../infra/build-app.js';
import { describeAwsSolutions } from './sprout/nag.js';

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const prod = { stage: 'prod', project: 'shop', service: 'metrics', stackName: 'shop-metrics-prod', account: '111111111111', region: 'eu-west-1' };

describeAwsSolutions(buildApp, { name: 'sprout.json options', deployments: [['prod', prod]] });

// The options' other extremes: the stack changes, the findings must not.
describeAwsSolutions((app: App) => buildApp(app, { ...sprout, options: { windowSeconds: 900, zScoreThreshold: 10, baselineWindows: 1000, aggregateTtlDays: 3650 } }), {
  name: 'option extremes',
  deployments: [['prod', prod]],
});

import type { App } from 'aws-cdk-lib';
import { buildApp } from '../infra/build-app.js';
import { describeAwsSolutions } from './sprout/nag.js';

// No custom domain here: the pattern has no HTTP endpoint (test/deployment.test.ts proves it refuses one).
describeAwsSolutions(buildApp, {
  deployments: [['an AWS stage', { stage: 'prod', project: 'lake', service: 'lake', stackName: 'lake-prod', account: '111111111111', region: 'eu-west-1' }]],
});

// The other side of every option: a KMS key (its grants and key policy), gzip JSON Lines, raw data kept forever.
describeAwsSolutions((app: App) => buildApp(app, { encryption: 'sse-kms', curatedFormat: 'jsonl-gzip', rawRetentionDays: 0, queryScanLimitMb: 10 }), {
  name: 'KMS key, jsonl-gzip, raw kept',
  deployments: [['an AWS stage', { stage: 'prod', project: 'lake', service: 'lake', stackName: 'lake-prod', account: '111111111111', region: 'eu-west-1' }]],
});

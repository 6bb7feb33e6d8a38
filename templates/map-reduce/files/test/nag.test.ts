import type { App } from 'aws-cdk-lib';
import { buildApp } from '../infra/build-app.js';
import { describeAwsSolutions } from './sprout/nag.js';

// No custom domain here: the pattern has no HTTP endpoint (test/deployment.test.ts proves it refuses one).
describeAwsSolutions(buildApp, {
  deployments: [['prod', { stage: 'prod', project: 'corpus', service: 'corpus', stackName: 'corpus-prod', account: '111111111111', region: 'eu-west-1' }]],
});

// The options change the item reader's grant (no prefix: no condition), the mapper's grant and the
// child workflow type; each variant must stay free of unacknowledged findings.
describeAwsSolutions((app: App) => buildApp(app, { inputPrefix: '', childExecutionType: 'standard', toleratedFailurePercentage: 10, maxConcurrency: 10_000 }), { name: 'whole bucket, standard children' });

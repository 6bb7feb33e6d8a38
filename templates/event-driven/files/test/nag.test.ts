import { buildApp } from '../infra/build-app.js';
import { describeAwsSolutions } from './sprout/nag.js';

// No domain variants: this pattern has no HTTP endpoint and refuses a domain (test/deployment.test.ts).
describeAwsSolutions(buildApp, {
  deployments: [['an AWS stage', { stage: 'prod', project: 'fleet', service: 'fleet', stackName: 'fleet-prod', account: '111111111111', region: 'eu-west-1' }]],
});

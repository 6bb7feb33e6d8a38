import { buildApp } from '../infra/build-app.js';
import { describeAwsSolutions } from './sprout/nag.js';

const prod = { stage: 'prod', project: 'shop', service: 'jobs', stackName: 'shop-jobs-prod', account: '111111111111', region: 'eu-west-1' };
const deployments: Array<[string, unknown]> = [
  ['subdomain', { ...prod, domain: { mode: 'subdomain', hostName: 'jobs.example.com', parentZoneName: 'example.com', parentHostedZoneId: 'Z0123456789ABC', delegationRoleArn: 'arn:aws:iam::222222222222:role/sprout-dns-delegation-shop-prod' } }],
  ['path', { ...prod, domain: { mode: 'path', domainName: 'api.example.com', basePath: 'api/jobs' } }],
];

// sprout.json's options (an SQS queue is polled), then the Kinesis variant of the stream-based model.
describeAwsSolutions(buildApp, { deployments });
describeAwsSolutions((app) => buildApp(app, { streamSource: 'kinesis' }), { deployments });

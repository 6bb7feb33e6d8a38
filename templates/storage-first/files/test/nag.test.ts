import type { App } from 'aws-cdk-lib';
import { describe } from 'vitest';
import { buildApp } from '../infra/build-app.js';
import { describeAwsSolutions } from './sprout/nag.js';

const deployments: Array<[string, unknown]> = [
  ['subdomain', { stage: 'prod', project: 'shop', service: 'orders', stackName: 'shop-orders-prod', account: '111111111111', region: 'eu-west-1', domain: { mode: 'subdomain', hostName: 'orders.example.com', parentZoneName: 'example.com', parentHostedZoneId: 'Z0123456789ABC', delegationRoleArn: 'arn:aws:iam::222222222222:role/sprout-dns-delegation-shop-prod' } }],
  ['path', { stage: 'prod', project: 'shop', service: 'orders', stackName: 'shop-orders-prod', account: '111111111111', region: 'eu-west-1', domain: { mode: 'path', domainName: 'api.example.com', basePath: 'api/orders' } }],
];

describe('buffer: sqs (sprout.json)', () => describeAwsSolutions(buildApp, { deployments }));
describe('buffer: kinesis', () => describeAwsSolutions((app: App) => buildApp(app, { buffer: 'kinesis' }), { deployments }));

import { buildApp } from '../infra/build-app.js';
import { describeAwsSolutions } from './sprout/nag.js';

describeAwsSolutions(buildApp, {
  deployments: [
    ['subdomain', { stage: 'prod', project: 'shop', service: 'shop', stackName: 'shop-prod', account: '111111111111', region: 'eu-west-1', domain: { mode: 'subdomain', hostName: 'shop.example.com', parentZoneName: 'example.com', parentHostedZoneId: 'Z0123456789ABC', delegationRoleArn: 'arn:aws:iam::222222222222:role/sprout-dns-delegation-shop-prod' } }],
    ['path', { stage: 'prod', project: 'shop', service: 'shop', stackName: 'shop-prod', account: '111111111111', region: 'eu-west-1', domain: { mode: 'path', domainName: 'api.example.com', basePath: 'api/shop' } }],
  ],
});

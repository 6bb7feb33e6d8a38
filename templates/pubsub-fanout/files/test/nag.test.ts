import { buildApp } from '../infra/build-app.js';
import { describeAwsSolutions } from './sprout/nag.js';

describeAwsSolutions(buildApp, {
  deployments: [['deployed by sprout', { stage: 'prod', project: 'shop', service: 'images', stackName: 'shop-images-prod', account: '111111111111', region: 'eu-west-1' }]],
});

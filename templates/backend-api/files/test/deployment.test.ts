import { buildApp } from '../infra/build-app.js';
import { resolveConfig } from '../infra/config.js';
import { describeSproutDeployment } from './sprout/deployment.js';

describeSproutDeployment({ buildApp, resolveConfig, taggedResourceType: 'AWS::DynamoDB::Table', domain: 'rest-api' });

import { buildApp } from '../infra/build-app.js';
import { resolveConfig } from '../infra/config.js';
import { describeSproutDeployment } from './sprout/deployment.js';

describeSproutDeployment({ buildApp, resolveConfig, taggedResourceType: 'AWS::SQS::Queue', domain: 'rest-api' });

import { buildApp } from '../infra/build-app.js';
import { resolveConfig } from '../infra/config.js';
import { describeSproutDeployment } from './sprout/deployment.js';

describeSproutDeployment({ buildApp, resolveConfig, taggedResourceType: 'AWS::S3::Bucket', domain: { refusedWith: 'the event-driven pattern has no HTTP endpoint (S3 uploads trigger it)' } });

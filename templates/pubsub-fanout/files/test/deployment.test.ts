import { buildApp } from '../infra/build-app.js';
import { resolveConfig } from '../infra/config.js';
import { describeSproutDeployment } from './sprout/deployment.js';

describeSproutDeployment({ buildApp, resolveConfig, taggedResourceType: 'AWS::S3::Bucket', domain: { refusedWith: 'the pubsub-fanout pattern has no HTTP endpoint (uploads to the input bucket trigger it)' } });

import { buildApp } from '../infra/build-app.js';
import { resolveConfig } from '../infra/config.js';
import { describeSproutDeployment } from './sprout/deployment.js';

describeSproutDeployment({
  buildApp,
  resolveConfig,
  taggedResourceType: 'AWS::Kinesis::Stream',
  domain: { refusedWith: 'the realtime-analytics pattern has no HTTP endpoint (producers put metrics on its Kinesis stream; anomalies go out through SNS)' },
});

import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app.js';

// `sprout deploy` passes -c sprout:platform (stage, stack name, account, region, domain);
// without it, a preview of the local stage built from the workspace's sprout.json.
buildApp(new App());

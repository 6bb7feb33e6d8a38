import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app.js';

// `sprout deploy` passes -c sprout:deployment (stage, stack name, account, region, domain);
// by hand, `cdk synth -c stage=<name>` picks the stage; without either, sprout.json's defaultStage.
buildApp(new App());

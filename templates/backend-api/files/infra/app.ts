import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app.js';

// `cdk synth -c stage=<name>` picks the stage; without it, sprout.json's defaultStage.
buildApp(new App());

import { describeTemplate } from '../harness.js';

describeTemplate('pubsub-streams');

import { describeTemplate } from '../harness.js';

describeTemplate('state-machine');

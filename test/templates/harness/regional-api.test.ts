import { describeTemplate } from '../harness.js';

describeTemplate('regional-api');

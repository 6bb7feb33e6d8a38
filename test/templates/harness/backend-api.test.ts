import { describeTemplate } from '../harness.js';

describeTemplate('backend-api');

import { describeTemplate } from '../harness.js';

describeTemplate('saga');

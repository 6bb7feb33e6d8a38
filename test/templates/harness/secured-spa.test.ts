import { describeTemplate } from '../harness.js';

describeTemplate('secured-spa');

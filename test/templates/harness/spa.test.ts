import { describeTemplate } from '../harness.js';

describeTemplate('spa');

import { describeTemplate } from '../harness.js';

describeTemplate('data-lake');

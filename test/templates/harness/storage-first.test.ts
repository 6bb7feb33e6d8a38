import { describeTemplate } from '../harness.js';

describeTemplate('storage-first');

import { describeTemplate } from '../harness.js';

describeTemplate('aggregator');

import { describeTemplate } from '../harness.js';

describeTemplate('map-reduce');

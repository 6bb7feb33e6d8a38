import { describeTemplate } from '../harness.js';

describeTemplate('realtime-analytics');

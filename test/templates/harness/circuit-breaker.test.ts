import { describeTemplate } from '../harness.js';

describeTemplate('circuit-breaker');

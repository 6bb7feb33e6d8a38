import { describeTemplate } from '../harness.js';

describeTemplate('strangler');

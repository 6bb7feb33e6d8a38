import { describeTemplate } from '../harness.js';

describeTemplate('execution-models');

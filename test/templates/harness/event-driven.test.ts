import { describeTemplate } from '../harness.js';

describeTemplate('event-driven');

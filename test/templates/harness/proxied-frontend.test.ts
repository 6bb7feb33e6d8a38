import { describeTemplate } from '../harness.js';

describeTemplate('proxied-frontend');

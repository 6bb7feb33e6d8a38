import { describeTemplate } from '../harness.js';

describeTemplate('microservices');

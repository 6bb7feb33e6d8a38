/** The local messaging services (SQS, SNS, EventBridge), ARN delivery and the AWS endpoint the handlers' SDKs call. */
export { createQueues, queueConfigsOf, type LocalQueues, type QueueConfig, type CreateQueuesOptions } from './sqs.js';
export { createTopics, type LocalTopics, type PublishInput, type TopicConfig, type SubscriptionConfig, type CreateTopicsOptions } from './sns.js';
export {
  createEventBuses,
  type LocalEventBuses,
  type PutEventsEntry,
  type PutEventsResult,
  type EventEnvelope,
  type RuleConfig,
  type CreateEventBusesOptions,
} from './eventbridge.js';
export { createDeliver, type DeliverParts } from './deliver.js';
export { startAwsEndpoint, type AwsEndpoint, type AwsEndpointParts } from './endpoint.js';
export { compilePattern, matchesPattern, parsePattern, PatternError } from './pattern.js';
export { AwsServiceError } from './errors.js';

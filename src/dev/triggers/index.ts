export { startSqsMappings, sqsRecord, type SqsMappings, type SqsMappingsOptions } from './sqs-mapping.js';
export { startKinesisMappings, kinesisEventRecord, type KinesisMappings, type KinesisMappingsOptions } from './kinesis-mapping.js';
export { startKinesisH2Front } from './kinesis-h2-front.js';
export { wireS3Notifications, bucketNotificationsOf, type WireS3NotificationsOptions, type EventBridgeSink } from './s3-notifications.js';

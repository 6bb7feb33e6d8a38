import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Config } from '../config.js';
import { ImageFanout } from '../constructs/image-fanout.js';

export interface ImageFanoutStackProps extends StackProps {
  config: Config;
}

export class ImageFanoutStack extends Stack {
  readonly fanout: ImageFanout;

  constructor(scope: Construct, id: string, props: ImageFanoutStackProps) {
    super(scope, id, props);
    const { options, resourceName, stage } = props.config;
    this.fanout = new ImageFanout(this, 'Fanout', { options, resourceName, stage });
    const { inputBucket, outputBucket, topic, jobs, deliveryFailures } = this.fanout;

    const output = (key: string, value: string, description: string) => new CfnOutput(this, key, { value, description });
    output('InputBucketName', inputBucket.bucketName, 'Upload images here (aws s3 cp photo.jpg s3://<bucket>/photos/photo.jpg)');
    output('OutputBucketName', outputBucket.bucketName, 'Results: resized/, thumbnails/ and metadata/, each named after the upload');
    output('TopicArn', topic.topicArn, 'The SNS topic S3 publishes upload events to; subscribe another queue here to add a job');
    output('ResizeDeadLetterQueueUrl', jobs.resize.deadLetterQueue.queueUrl, 'Messages the resize function failed to process');
    output('ThumbnailDeadLetterQueueUrl', jobs.thumbnail.deadLetterQueue.queueUrl, 'Messages the thumbnail function failed to process');
    output('MetadataDeadLetterQueueUrl', jobs.metadata.deadLetterQueue.queueUrl, 'Messages the metadata function failed to process');
    output('DeliveryFailuresQueueUrl', deliveryFailures.queueUrl, 'Events SNS could not deliver to a job queue');
  }
}

import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Config } from '../config.js';
import { addUploadPipeline } from '../constructs/upload-pipeline.js';

export interface EventDrivenStackProps extends StackProps {
  config: Config;
}

/** The input and output buckets, the processing function, its failed-events queue and the flag store. */
export class EventDrivenStack extends Stack {
  constructor(scope: Construct, id: string, props: EventDrivenStackProps) {
    super(scope, id, props);
    const { options, resourceName, stage } = props.config;
    const pipeline = addUploadPipeline(this, { options, resourceName, stage });

    new CfnOutput(this, 'InputBucketName', { value: pipeline.input.bucketName, description: `Upload here, under ${options.inputPrefix || '(any key)'}, files ending in ${options.inputSuffix || '(anything)'}` });
    new CfnOutput(this, 'OutputBucketName', { value: pipeline.output.bucketName, description: 'Results: readings/<input key>/<ETag>.jsonl and summaries/<input key>/<ETag>.json' });
    new CfnOutput(this, 'FailedEventsQueueUrl', { value: pipeline.failedEvents.queueUrl, description: 'Events that failed every retry or waited longer than maxEventAgeSeconds' });
    new CfnOutput(this, 'FunctionName', { value: pipeline.processor.function.functionName });
  }
}

import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Config } from '../config.js';
import { addExecutionModels, type ExecutionModels } from '../constructs/execution-models.js';

export interface ExecutionModelsStackProps extends StackProps {
  config: Config;
}

/** The three Lambda execution models side by side; the outputs are what the README's commands use. */
export class ExecutionModelsStack extends Stack {
  readonly models: ExecutionModels;

  constructor(scope: Construct, id: string, props: ExecutionModelsStackProps) {
    super(scope, id, props);
    const { options, resourceName, stage, domain } = props.config;
    const models = addExecutionModels(this, { options, resourceName, stage, ...(domain ? { domain } : {}) });
    this.models = models;
    const { api, functions, onSuccess, onFailure, stream } = models;

    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output('ApiUrl', api.api.url, 'Base URL of the API: POST sync, async and stream');
    output('SyncFunctionName', functions.sync.function.functionName, 'The synchronous function');
    output('AsyncFunctionName', functions.async.function.functionName, 'The asynchronous function (aws lambda invoke --invocation-type Event)');
    output('StreamFunctionName', functions.stream.function.functionName, 'The polling consumer');
    output('AsyncOnSuccessQueueUrl', onSuccess.queueUrl, 'Invocation records of successful asynchronous jobs');
    output('AsyncOnFailureQueueUrl', onFailure.queueUrl, 'Invocation records of asynchronous jobs that failed every attempt or expired');
    if ('queue' in stream) {
      output('StreamQueueUrl', stream.queue.queueUrl, 'The queue the stream-based consumer polls');
      output('StreamDeadLetterQueueUrl', stream.deadLetters.queueUrl, 'Messages received 5 times without success');
    } else {
      output('StreamName', stream.stream.streamName, 'The Kinesis data stream the stream-based consumer reads');
      output('StreamFailureQueueUrl', stream.failures.queueUrl, 'Descriptions of Kinesis batches skipped after their retries');
    }
  }
}

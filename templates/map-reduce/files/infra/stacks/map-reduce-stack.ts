import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { OUTPUT_PREFIX } from '../../src/lib/settings.js';
import type { Config } from '../config.js';
import { WordCountJob } from '../constructs/word-count-job.js';

export interface MapReduceStackProps extends StackProps {
  config: Config;
}

export class MapReduceStack extends Stack {
  readonly job: WordCountJob;

  constructor(scope: Construct, id: string, props: MapReduceStackProps) {
    super(scope, id, props);
    const { options, resourceName, stage } = props.config;
    this.job = new WordCountJob(this, 'WordCount', { options, resourceName, stage });

    new CfnOutput(this, 'StateMachineArn', { value: this.job.stateMachine.stateMachineArn, description: 'Start a job: aws stepfunctions start-execution --state-machine-arn <this> --name <job name>' });
    new CfnOutput(this, 'InputBucketName', { value: this.job.input.bucketName, description: `Upload the text files to count under s3://<this>/${options.inputPrefix}` });
    new CfnOutput(this, 'ResultsBucketName', { value: this.job.results.bucketName, description: `Each job's output: s3://<this>/${OUTPUT_PREFIX}<job name>/word-counts.json` });
    new CfnOutput(this, 'ExecutionLogGroup', { value: this.job.logGroup.logGroupName, description: 'Execution events of the jobs and their child workflows' });
  }
}

import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Config } from '../config.js';
import { addWindowedAnalytics } from '../constructs/windowed-analytics.js';

export interface AnalyticsStackProps extends StackProps {
  config: Config;
}

export class AnalyticsStack extends Stack {
  constructor(scope: Construct, id: string, props: AnalyticsStackProps) {
    super(scope, id, props);
    const { options, resourceName, stage } = props.config;
    const { stream, aggregates, topic, failedWindows, aggregator } = addWindowedAnalytics(this, { options, resourceName, stage });

    new CfnOutput(this, 'StreamName', { value: stream.streamName, description: 'Put metrics here: {"key","value"} JSON, partition key = the metric key' });
    new CfnOutput(this, 'StreamArn', { value: stream.streamArn });
    new CfnOutput(this, 'AggregatesTableName', { value: aggregates.tableName, description: 'One item per metric key and window: count, sum, mean, min, max, p95, verdict' });
    new CfnOutput(this, 'AnomalyTopicArn', { value: topic.topicArn, description: 'Subscribe here to receive anomaly alerts' });
    new CfnOutput(this, 'FailedWindowsQueueUrl', { value: failedWindows.queueUrl, description: 'Batches Lambda gave up on (shard and sequence range)' });
    new CfnOutput(this, 'AggregatorFunctionName', { value: aggregator.function.functionName });
  }
}

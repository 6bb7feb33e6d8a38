import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ERROR_NAMES } from '../../src/lib/errors.js';
import { initialFlags } from '../../src/lib/flags.js';
import {
  MAP_RUNS_PREFIX,
  MAPPER_MEMORY_MB,
  MAPPER_TIMEOUT_SECONDS,
  OUTPUT_PREFIX,
  PARTIALS_PREFIX,
  REDUCER_MEMORY_MB,
  REDUCER_TIMEOUT_SECONDS,
} from '../../src/lib/settings.js';
import { encodeAppConfig } from '../../src/sprout/flags/codec.js';
import type { Options } from '../config.js';
import { FeatureFlags } from '../sprout/feature-flags.js';
import { SproutFunction } from '../sprout/sprout-function.js';

/**
 * The errors worth retrying: Lambda's transient service errors (the list in Step Functions' best
 * practices), Lambda throttling the invocation (likely with thousands of children at once), and
 * the handlers' TransientError (S3 throttling or 5xx after the SDK's own retries). Not retried:
 * Lambda.Unknown (a timeout or out-of-memory, likely to happen again), an object that changed or
 * vanished since the listing, one too large, and any other error (a bug).
 */
export const TRANSIENT_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  ERROR_NAMES.transient,
];

/** The Distributed Map's label: part of its map run and child execution ARNs. */
export const MAP_LABEL = 'WordCount';

/**
 * S3ObjectsItemReader, granting less: CDK's grants s3:ListBucket on the whole bucket; this one
 * only for listings under the prefix (the condition key s3:prefix is the ListObjectsV2 Prefix).
 */
class PrefixItemReader extends sfn.S3ObjectsItemReader {
  override providePolicyStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        ...(this.prefix ? { conditions: { StringLike: { 's3:prefix': `${this.prefix}*` } } } : {}),
      }),
    ];
  }
}

/**
 * ResultWriterV2, granting less: CDK's grants s3:PutObject, GetObject, ListMultipartUploadParts and
 * AbortMultipartUpload on every key of the bucket; this one only under the result writer's prefix,
 * where Step Functions writes (the actions are those of the "IAM policies for ResultWriter" in the
 * Step Functions developer guide; multipart, because a result file may grow to 5 GB).
 */
class PrefixResultWriter extends sfn.ResultWriterV2 {
  override providePolicyStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        resources: [this.bucket!.arnForObjects(`${this.prefix}/*`)],
      }),
    ];
  }
}

export interface WordCountJobProps {
  resourceName: string;
  stage: string;
  options: Options;
}

/**
 * The word-count job: a Standard workflow whose Distributed Map lists the input objects (S3 item
 * reader), runs one child workflow per object that invokes the mapper (at most maxConcurrency at
 * once, toleratedFailurePercentage of them may fail), and writes every child's result to S3 (result
 * writer); the reducer then reads those results and writes the output object.
 */
export class WordCountJob extends Construct {
  readonly input: s3.Bucket;
  readonly results: s3.Bucket;
  readonly accessLogs: s3.Bucket;
  readonly mapper: SproutFunction;
  readonly reducer: SproutFunction;
  readonly flags: FeatureFlags;
  readonly logGroup: logs.LogGroup;
  readonly distributedMap: sfn.DistributedMap;
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: WordCountJobProps) {
    super(scope, id);
    const { options, resourceName, stage } = props;
    const express = options.childExecutionType === 'express';

    // Server access logs of both data buckets: who uploaded or read which object, and when.
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The input is your data and the outputs are what the jobs produced: both outlive the stack
    // (`cdk destroy` leaves them; the README shows how to empty and delete them).
    const dataBucket = (bucketId: string, logPrefix: string, lifecycleRules: s3.LifecycleRule[]) =>
      new s3.Bucket(this, bucketId, {
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        encryption: s3.BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        serverAccessLogsBucket: this.accessLogs,
        serverAccessLogsPrefix: logPrefix,
        lifecycleRules,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    // Two buckets: with the results next to the input, a job over the whole bucket (inputPrefix "")
    // would count its own partial results.
    this.input = dataBucket('Input', 'input/', []);
    this.results = dataBucket('Results', 'results/', [
      // The map runs' result files are read once, by the reducer. Partial results are kept a month
      // so that the next jobs over unchanged objects reuse them; an expired one is simply counted again.
      { prefix: `${MAP_RUNS_PREFIX}/`, expiration: Duration.days(30) },
      { prefix: PARTIALS_PREFIX, expiration: Duration.days(30) },
      // The result writer uploads large result files in parts; parts of an upload that never completed cost storage.
      { abortIncompleteMultipartUploadAfter: Duration.days(1) },
    ]);

    this.mapper = new SproutFunction(this, 'MapWords', {
      entry: 'map-words',
      description: `Map: counts the words of one object under ${options.inputPrefix || '/'} (one Distributed Map child each)`,
      serviceName: resourceName,
      memorySize: MAPPER_MEMORY_MB,
      timeout: Duration.seconds(MAPPER_TIMEOUT_SECONDS),
      environment: { INPUT_BUCKET: this.input.bucketName, INPUT_PREFIX: options.inputPrefix, RESULTS_BUCKET: this.results.bucketName },
    });
    this.reducer = new SproutFunction(this, 'ReduceCounts', {
      entry: 'reduce-counts',
      description: 'Reduce: sums the partial word counts of a map run into the output object',
      serviceName: resourceName,
      memorySize: REDUCER_MEMORY_MB,
      timeout: Duration.seconds(REDUCER_TIMEOUT_SECONDS),
      environment: { RESULTS_BUCKET: this.results.bucketName },
    });

    // Least privilege. The mapper reads the input objects under the prefix and writes (and checks
    // for) partial results; s3:ListBucket on both buckets only so that a missing key reads as 404
    // (a deleted input object, a partial not written yet) rather than 403.
    this.mapper.allow(['s3:GetObject'], [this.input.arnForObjects(`${options.inputPrefix}*`)]);
    this.mapper.allow(['s3:ListBucket'], [this.input.bucketArn, this.results.bucketArn]);
    this.mapper.allow(['s3:GetObject', 's3:PutObject'], [this.results.arnForObjects(`${PARTIALS_PREFIX}*`)]);
    // The reducer reads the map runs' result files and the partial results, and writes the output.
    this.reducer.allow(['s3:GetObject'], [this.results.arnForObjects(`${MAP_RUNS_PREFIX}/*`), this.results.arnForObjects(`${PARTIALS_PREFIX}*`)]);
    this.reducer.allow(['s3:PutObject'], [this.results.arnForObjects(`${OUTPUT_PREFIX}*`)]);
    const input = logicalIdOf(this.input);
    const results = logicalIdOf(this.results);
    Validations.of(this.mapper.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${input}.Arn>/${options.inputPrefix}*]`,
      reason: 'The input objects are whatever is uploaded under the input prefix, unknown at deploy time: the mapper may read exactly the keys the Distributed Map lists (the item reader\'s prefix), nothing wider.',
    });
    Validations.of(this.mapper.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${results}.Arn>/${PARTIALS_PREFIX}*]`,
      reason: `Partial result keys are derived from input keys and ETags, unknown at deploy time: the mapper may read and write only under ${PARTIALS_PREFIX} in the results bucket.`,
    });
    Validations.of(this.reducer.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${results}.Arn>/${MAP_RUNS_PREFIX}/*]`,
      reason: `The result writer's files are named by Step Functions (${MAP_RUNS_PREFIX}/<map run id>/manifest.json, SUCCEEDED_0.json…): the reducer may read only that prefix of the results bucket.`,
    });
    Validations.of(this.reducer.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${results}.Arn>/${PARTIALS_PREFIX}*]`,
      reason: `Partial result keys are derived from input keys and ETags, unknown at deploy time: the reducer may read (not write) only under ${PARTIALS_PREFIX}.`,
    });
    Validations.of(this.reducer.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${results}.Arn>/${OUTPUT_PREFIX}*]`,
      reason: `Output keys are named after each job's execution name, unknown at deploy time: the reducer may write only under ${OUTPUT_PREFIX}.`,
    });

    // The flag store `sprout flags --stage <stage>` manages. It starts with initialFlags (the sample
    // flag, off), written once at creation: redeploying never reverts a flag. Only the reducer reads it.
    this.flags = new FeatureFlags(this, 'Flags', { initialContent: encodeAppConfig(initialFlags), environmentName: stage });
    this.flags.grantRead(this.reducer.function);

    const retryTransient = (task: tasks.LambdaInvoke, maxAttempts: number) =>
      task.addRetry({
        errors: TRANSIENT_ERRORS,
        interval: Duration.seconds(2),
        maxAttempts,
        backoffRate: 2,
        maxDelay: Duration.seconds(30),
        // FULL: each wait is random between 0 and the backoff value, so thousands of children
        // throttled together do not all retry at the same moment.
        jitterStrategy: sfn.JitterType.FULL,
      });

    // The child workflow: one task. Resource is the function's ARN (payloadResponseOnly), so the
    // child's input (the ItemSelector's item) is the mapper's event and its output the mapper's
    // pointer. Three retries: worst case 4 × 60 s of function time plus 2 + 4 + 8 s of waits, under
    // the 5 minutes an Express child may run.
    const countWords = new tasks.LambdaInvoke(this, 'CountWords', {
      comment: 'Map: counts the words of one input object into a partial result in S3',
      lambdaFunction: this.mapper.function,
      payloadResponseOnly: true,
      // CDK's default retry covers four Lambda service errors without jitter; retryTransient covers those, throttling and TransientError.
      retryOnServiceExceptions: false,
      // Above the function's own timeout: this only fires if the invocation itself hangs.
      taskTimeout: sfn.Timeout.duration(Duration.seconds(MAPPER_TIMEOUT_SECONDS + 30)),
    });
    retryTransient(countWords, 3);

    this.distributedMap = new sfn.DistributedMap(this, 'MapObjects', {
      comment: `Lists the objects under "${options.inputPrefix}" and counts each in its own child workflow`,
      label: MAP_LABEL,
      // ListObjectsV2 on the input bucket, paginated by Step Functions: one item per object,
      // { Key, Etag, Size, LastModified, StorageClass }.
      itemReader: new PrefixItemReader({ bucket: this.input, ...(options.inputPrefix ? { prefix: options.inputPrefix } : {}) }),
      // What each child gets: the object's key, ETag (in quotes, as S3 lists it) and size.
      itemSelector: {
        'key.$': '$$.Map.Item.Value.Key',
        'eTag.$': '$$.Map.Item.Value.Etag',
        'size.$': '$$.Map.Item.Value.Size',
      },
      maxConcurrency: options.maxConcurrency,
      // 0 (the default) fails the map run on the first failed item; CDK leaves the field out then.
      toleratedFailurePercentage: options.toleratedFailurePercentage,
      mapExecutionType: express ? sfn.StateMachineType.EXPRESS : sfn.StateMachineType.STANDARD,
      // Every child's input, output (the mapper's pointer) or error, in files under
      // map-runs/<map run id>/; the state's own output is only where the manifest is.
      resultWriterV2: new PrefixResultWriter({ bucket: this.results, prefix: MAP_RUNS_PREFIX }),
    });
    this.distributedMap.itemProcessor(countWords);
    // Listing the bucket failed (S3 throttling or a 5xx): list again. A retry starts a new map
    // run; the objects already counted are reused from their partial results.
    this.distributedMap.addRetry({ errors: ['States.ItemReaderFailed'], interval: Duration.seconds(10), maxAttempts: 2, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });

    const reduceCounts = new tasks.LambdaInvoke(this, 'Reduce', {
      comment: 'Reduce: sums the partial results of the map run into output/<execution name>/word-counts.json',
      lambdaFunction: this.reducer.function,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      payload: sfn.TaskInput.fromObject({
        manifest: sfn.JsonPath.objectAt('$.ResultWriterDetails'),
        mapRunArn: sfn.JsonPath.stringAt('$.MapRunArn'),
        job: sfn.JsonPath.executionName,
        startedAt: sfn.JsonPath.executionStartTime,
      }),
      taskTimeout: sfn.Timeout.duration(Duration.seconds(REDUCER_TIMEOUT_SECONDS + 60)),
    });
    retryTransient(reduceCounts, 2);

    // Vended-logs prefix: Step Functions then needs no CloudWatch Logs resource policy per log group.
    this.logGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-word-count`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: `Word count (${resourceName}, ${stage}): Distributed Map over s3 objects, then reduce`,
      // The parent must be Standard: a Distributed Map is not allowed in an Express workflow.
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(this.distributedMap.next(reduceCounts)),
      // A Standard execution may run a year; a word count that has not finished in a day is stuck,
      // and should fail where you see it. Raise it for very large corpora at low concurrency.
      timeout: Duration.hours(24),
      tracingEnabled: true,
      logs: {
        destination: this.logGroup,
        level: sfn.LogLevel.ALL,
        // Each state's input and output in the log: object keys, ETags and counts, no secrets.
        includeExecutionData: true,
      },
    });

    this.acknowledgeStateMachineRole();
  }

  /** The state machine role's wildcards, each for a reason cdk-nag cannot see. */
  private acknowledgeStateMachineRole(): void {
    const stack = Stack.of(this);
    const role = this.stateMachine.role;
    for (const fn of [this.mapper, this.reducer]) {
      const arn = stack.resolve(fn.function.functionArn) as { 'Fn::GetAtt': [string, string] };
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${arn['Fn::GetAtt'][0]}.Arn>:*]`,
        reason: 'The lambda:invoke integration is granted the function and its qualified ARNs (<function ARN>:<version or alias>); the wildcard covers only versions and aliases of this one function, which this construct owns.',
      });
    }
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(this.results)}.Arn>/${MAP_RUNS_PREFIX}/*]`,
      reason: `The result writer names its files after each map run's id (${MAP_RUNS_PREFIX}/<map run id>/…): Step Functions may write only under that prefix of the results bucket.`,
    });
    // CDK's DistributedMapPolicy: the child workflows are executions of this same state machine, so
    // it may start them (states:StartExecution on its own ARN), describe and stop them, and redrive
    // the map runs of the labelled map. Execution ARNs are <state machine name>:<execution name>,
    // the names made up at run time: the wildcards cover executions of this one state machine only.
    const policy = this.stateMachine.node.findChild('DistributedMapPolicy');
    const pseudo = (value: string, name: string) => (Token.isUnresolved(value) ? `<AWS::${name}>` : value);
    const machineName = JSON.stringify({ 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: stack.getLogicalId(this.stateMachine.node.defaultChild as sfn.CfnStateMachine) }] }] });
    const executions = `arn:${pseudo(stack.partition, 'Partition')}:states:${pseudo(stack.region, 'Region')}:${pseudo(stack.account, 'AccountId')}:execution:${machineName}`;
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${executions}:*]`,
      reason: 'states:DescribeExecution and states:StopExecution on the executions of this state machine (its Distributed Map child workflows): their names are generated per item at run time, so the ARN ends in a wildcard; no other state machine is covered.',
    });
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${executions}/${MAP_LABEL}:*]`,
      reason: `states:RedriveExecution on the child executions of the "${MAP_LABEL}" map run (the label narrows it to this Distributed Map); their names are generated at run time.`,
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) and CloudWatch Logs delivery for Step Functions (logs:CreateLogDelivery and the other log-delivery actions) do not support resource-level permissions, so Resource "*" is the narrowest possible scope.',
    });
  }
}

function logicalIdOf(bucket: s3.Bucket): string {
  return Stack.of(bucket).getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
}

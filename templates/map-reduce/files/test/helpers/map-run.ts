import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { buildApp } from '../../infra/build-app.js';
import type { Options } from '../../infra/config.js';
import { testApp } from '../sprout/cdk-app.js';
import { INPUT_BUCKET, type LocalS3, RESULTS_BUCKET } from './s3rver.js';

// Runs one job as the deployed state machine would, from the definition `cdk synth` writes, with
// the project's own handlers and S3 in s3rver. aws-local-stepfunctions cannot run it (it supports
// neither ItemReader nor ResultWriter), so this file plays the Distributed Map's part, reading every
// setting from the synthesized definition (nothing is hard-coded here):
// - ItemReader: ListObjectsV2 on its Bucket and Prefix, paginated, one item per object in the S3
//   item reader's shape { Etag, Key, LastModified, Size, StorageClass };
// - ItemSelector: the `$$.Map.Item.Value.<field>` paths it names;
// - ItemProcessor: its one Task, with the Task's Retry (no waits), MaxConcurrency children at once;
// - ToleratedFailurePercentage: the map run fails above it (States.ExceedToleratedFailureThreshold);
// - ResultWriter: manifest.json and SUCCEEDED_0.json / FAILED_0.json / PENDING_0.json under
//   <Prefix>/<map run id>/ in its Bucket, in the format of the Step Functions developer guide
//   ("ResultWriter (Map)"), and { MapRunArn, ResultWriterDetails } as the state's output;
// - the Reduce task: its Parameters ($.…, $$.Execution.Name, $$.Execution.StartTime), then the reducer.
// What it does not emulate: Express/Standard semantics, timeouts, Lambda itself (a handler error
// becomes the child's Error and Cause the way the Node.js runtime reports it).

type State = Record<string, any>;
type Handler = (event: unknown, context: Context) => Promise<unknown>;
type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, any> }> };

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

export interface SynthesizedJob {
  definition: State;
  stateMachineName: string;
  /** The logical id of each function, by its handler file. */
  functions: { 'map-words': string; 'reduce-counts': string };
}

/** Synthesizes the app (with `options` over sprout.json's) and returns the state machine's definition. */
export function synthesizeJob(options: Partial<Options> = {}): SynthesizedJob {
  const test = testApp({ bundle: false });
  try {
    const stack = buildApp(test.app, options);
    const template = test.app.synth().getStackByName(stack.stackName).template as Template;
    const id = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
    const buckets: Record<string, string> = { [id(stack.job.input)]: INPUT_BUCKET, [id(stack.job.results)]: RESULTS_BUCKET };
    const functions = { 'map-words': id(stack.job.mapper.function), 'reduce-counts': id(stack.job.reducer.function) };
    const [machine] = Object.values(template.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
    const resolve = (value: any): string => {
      if (typeof value === 'string') return value;
      if (value['Fn::Join']) return value['Fn::Join'][1].map(resolve).join(value['Fn::Join'][0]);
      if (value.Ref === 'AWS::Partition') return 'aws';
      if (value.Ref && buckets[value.Ref]) return buckets[value.Ref]!;
      if (value['Fn::GetAtt']?.[1] === 'Arn' && template.Resources[value['Fn::GetAtt'][0]]?.Type === 'AWS::Lambda::Function') {
        return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${value['Fn::GetAtt'][0]}`;
      }
      throw new Error(`the definition refers to something these tests cannot stand in for: ${JSON.stringify(value)}`);
    };
    return { definition: JSON.parse(resolve(machine!.Properties!.DefinitionString)), stateMachineName: 'WordCountStateMachine', functions };
  } finally {
    test.cleanUp();
  }
}

/** A child's outcome as the result writer records it. */
export interface ChildRecord {
  ExecutionArn: string;
  Input: string;
  InputDetails: { Included: boolean };
  Name: string;
  Output?: string;
  OutputDetails?: { Included: boolean };
  Error?: string;
  Cause?: string;
  RedriveCount: number;
  RedriveStatus: string;
  RedriveStatusReason: string;
  StartDate: string;
  StateMachineArn: string;
  Status: 'SUCCEEDED' | 'FAILED' | 'PENDING';
  StopDate: string;
}

export interface JobRun {
  status: 'SUCCEEDED' | 'FAILED';
  error?: string;
  /** The Map state's output (its ResultWriterDetails) when the map run wrote its results. */
  mapOutput?: { MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } };
  /** The child executions, by status, as written to the result files. */
  children: ChildRecord[];
  /** How often the mapper was invoked (retries included). */
  mapperCalls: number;
  /** The most children that ran at once. */
  peakConcurrency: number;
  /** The execution's output: the reducer's result. */
  output?: any;
}

export interface RunOptions {
  /** The execution name (the job's name). */
  name: string;
  /** Errors to throw on the next invocations of the mapper for a key, before its handler runs. */
  faults?: Record<string, Error[]>;
  /** Called after the listing, before any child runs (to change or delete listed objects). */
  afterListing?: () => Promise<void>;
}

const handlers: Record<keyof SynthesizedJob['functions'], () => Promise<{ handler: unknown }>> = {
  'map-words': () => import('../../src/functions/map-words.js'),
  'reduce-counts': () => import('../../src/functions/reduce-counts.js'),
};

function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '1769',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Invokes the handler a Task state's Resource names, as Lambda would: JSON in, JSON out, errors as the Node.js runtime reports them. */
async function invoke(job: SynthesizedJob, resource: string, event: unknown): Promise<unknown> {
  const logicalId = resource.match(/:function:([A-Za-z0-9]+)$/)?.[1];
  const entry = (Object.entries(job.functions) as Array<[keyof SynthesizedJob['functions'], string]>).find(([, id]) => id === logicalId)?.[0];
  if (!entry) throw new Error(`Task Resource ${resource} is not one of the project's functions`);
  const handler = (await handlers[entry]()).handler as Handler;
  try {
    return JSON.parse(JSON.stringify((await handler(JSON.parse(JSON.stringify(event)), lambdaContext(logicalId!))) ?? null));
  } catch (error) {
    const thrown = error as Error;
    throw Object.assign(new Error(JSON.stringify({ errorType: thrown.name, errorMessage: thrown.message, trace: [] })), { name: thrown.name });
  }
}

/** A JSONPath this emulation supports: $.a.b and $$.a.b. */
function read(path: string, state: unknown, context: unknown): unknown {
  const [root, ...fields] = path.split('.');
  let value: any = root === '$$' ? context : root === '$' ? state : undefined;
  if (value === undefined) throw new Error(`unsupported path ${path}`);
  for (const field of fields) value = value?.[field];
  return value;
}

/** Applies a Parameters or ItemSelector template: "name.$" fields are paths, the rest literal. */
function applyTemplate(template: Record<string, unknown>, state: unknown, context: unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(template).map(([key, value]) => (key.endsWith('.$') ? [key.slice(0, -2), read(value as string, state, context)] : [key, value])));
}

/** Runs one job: the Distributed Map, then the Reduce task, with execution input {}. */
export async function runJob(job: SynthesizedJob, s3: LocalS3, options: RunOptions): Promise<JobRun> {
  const states = job.definition.States as Record<string, State>;
  const map = states[job.definition.StartAt as string]!;
  if (map.Type !== 'Map' || map.ItemProcessor?.ProcessorConfig?.Mode !== 'DISTRIBUTED') throw new Error('the first state is not a Distributed Map');
  const reduce = states[map.Next as string]!;
  for (const field of ['ResultPath', 'ResultSelector', 'OutputPath', 'InputPath']) if (field in map) throw new Error(`the Map state has ${field}, which this emulation does not apply`);
  const execution = { Name: options.name, StartTime: '2026-11-26T10:00:00.000Z' };
  const stateMachineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${job.stateMachineName}`;

  // ItemReader: ListObjectsV2, every page.
  if (map.ItemReader.Resource !== 'arn:aws:states:::s3:listObjectsV2') throw new Error(`unsupported item reader ${map.ItemReader.Resource}`);
  const { Bucket, Prefix } = map.ItemReader.Parameters as { Bucket: string; Prefix?: string };
  const items: Array<Record<string, unknown>> = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.client.send(new ListObjectsV2Command({ Bucket, ...(Prefix ? { Prefix } : {}), ContinuationToken }));
    for (const object of page.Contents ?? []) {
      items.push({ Etag: object.ETag, Key: object.Key, LastModified: Math.floor((object.LastModified?.getTime() ?? 0) / 1000), Size: object.Size, StorageClass: object.StorageClass ?? 'STANDARD' });
    }
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
  await options.afterListing?.();

  // ItemProcessor: one Task per item, MaxConcurrency at a time, with the Task's Retry.
  const processor = map.ItemProcessor as { StartAt: string; States: Record<string, State> };
  const task = processor.States[processor.StartAt]!;
  if (task.Type !== 'Task' || !task.End) throw new Error('the item processor is not one Task state');
  const mapRunId = randomUUID();
  const mapRunArn = `arn:aws:states:${REGION}:${ACCOUNT}:mapRun:${job.stateMachineName}/${map.Label}:${mapRunId}`;
  const faults = Object.fromEntries(Object.entries(options.faults ?? {}).map(([key, errors]) => [key, [...errors]]));
  const records: ChildRecord[] = [];
  let mapperCalls = 0;
  let running = 0;
  let peakConcurrency = 0;
  let next = 0;
  const runChild = async (index: number) => {
    const value = items[index]!;
    const input = map.ItemSelector ? applyTemplate(map.ItemSelector, {}, { Map: { Item: { Index: index, Value: value } }, Execution: execution }) : value;
    const name = randomUUID();
    const startDate = new Date().toISOString();
    const base = {
      ExecutionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:${job.stateMachineName}/${map.Label}:${name}`,
      Input: JSON.stringify(input),
      InputDetails: { Included: true },
      Name: name,
      RedriveCount: 0,
      StartDate: startDate,
      StateMachineArn: stateMachineArn,
    };
    for (let attempt = 0; ; attempt++) {
      try {
        mapperCalls += 1;
        const fault = faults[value.Key as string]?.shift();
        if (fault) throw fault;
        const output = await invoke(job, task.Resource, input);
        records.push({ ...base, Output: JSON.stringify(output), OutputDetails: { Included: true }, RedriveStatus: 'NOT_REDRIVABLE', RedriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven', Status: 'SUCCEEDED', StopDate: new Date().toISOString() });
        return;
      } catch (error) {
        const name_ = (error as Error).name;
        const retry = (task.Retry as Array<{ ErrorEquals: string[]; MaxAttempts?: number }> | undefined)?.find((r) => r.ErrorEquals.includes(name_) || r.ErrorEquals.includes('States.ALL'));
        if (retry && attempt < (retry.MaxAttempts ?? 3)) continue;
        records.push({ ...base, Error: name_, Cause: (error as Error).message, RedriveStatus: 'REDRIVABLE', RedriveStatusReason: '', Status: 'FAILED', StopDate: new Date().toISOString() });
        return;
      }
    }
  };
  const tolerated = (map.ToleratedFailurePercentage as number | undefined) ?? 0;
  let exceeded = false;
  const worker = async () => {
    while (next < items.length && !exceeded) {
      const index = next++;
      running += 1;
      peakConcurrency = Math.max(peakConcurrency, running);
      await runChild(index);
      running -= 1;
      const failed = records.filter((r) => r.Status === 'FAILED').length;
      // With 0 tolerated, the first failure fails the map run and the items not started stay PENDING.
      if ((failed / items.length) * 100 > tolerated) exceeded = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(map.MaxConcurrency ?? 1, items.length) }, worker));
  for (let index = next; index < items.length; index++) {
    const value = items[index]!;
    records.push({ ExecutionArn: '', Input: JSON.stringify(applyTemplate(map.ItemSelector, {}, { Map: { Item: { Index: index, Value: value } } })), InputDetails: { Included: true }, Name: '', RedriveCount: 0, RedriveStatus: 'NOT_REDRIVABLE', RedriveStatusReason: '', StartDate: '', StateMachineArn: stateMachineArn, Status: 'PENDING', StopDate: '' });
  }

  // ResultWriter: a file per status (one each here: AWS starts another every 5 GB), then the manifest.
  const writer = map.ResultWriter as { Resource: string; Parameters: { Bucket: string; Prefix: string } };
  if (writer.Resource !== 'arn:aws:states:::s3:putObject') throw new Error(`unsupported result writer ${writer.Resource}`);
  const folder = `${writer.Parameters.Prefix}/${mapRunId}`;
  const resultFiles: Record<string, Array<{ Key: string; Size: number }>> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  for (const status of ['SUCCEEDED', 'FAILED', 'PENDING'] as const) {
    const ofStatus = records.filter((r) => r.Status === status);
    if (ofStatus.length === 0) continue;
    const key = `${folder}/${status}_0.json`;
    const body = JSON.stringify(ofStatus);
    await s3.client.send(new PutObjectCommand({ Bucket: writer.Parameters.Bucket, Key: key, Body: body }));
    resultFiles[status]!.push({ Key: key, Size: Buffer.byteLength(body) });
  }
  const manifestKey = `${folder}/manifest.json`;
  await s3.client.send(
    new PutObjectCommand({ Bucket: writer.Parameters.Bucket, Key: manifestKey, Body: JSON.stringify({ DestinationBucket: writer.Parameters.Bucket, MapRunArn: mapRunArn, ResultFiles: resultFiles }) }),
  );
  const mapOutput = { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: writer.Parameters.Bucket, Key: manifestKey } };
  const run = { children: records, mapperCalls, peakConcurrency, mapOutput };
  if (exceeded) return { ...run, status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' };

  // The Reduce task: its Parameters over the Map state's output, then the reducer.
  if (reduce.Type !== 'Task' || !reduce.End) throw new Error('the state after the map is not the final Task');
  const event = applyTemplate(reduce.Parameters, mapOutput, { Execution: execution });
  try {
    return { ...run, status: 'SUCCEEDED', output: await invoke(job, reduce.Resource, event) };
  } catch (error) {
    return { ...run, status: 'FAILED', error: (error as Error).name };
  }
}

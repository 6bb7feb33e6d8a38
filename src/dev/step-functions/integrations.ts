/**
 * Local handlers for Task states, dispatched on the state's Resource the way Step Functions'
 * service integrations behave: same outputs, same error names (so Retry and Catch in the
 * project's definition match exactly as in AWS).
 */
import { randomUUID } from 'node:crypto';

import type { Deliver, ExecutionDescription, Invoker, LambdaError, Queues } from '../types.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../types.js';

export interface IntegrationDeps {
  invoker: Invoker;
  deliver: Deliver;
  queues: Queues;
  /** dynalite's URL. */
  dynamodbEndpoint: string;
  /** Nested executions (states:startExecution). */
  startExecution(stateMachineArn: string, input: string, name?: string): Promise<{ executionArn: string; startDate: Date }>;
  waitForExecution(executionArn: string): Promise<ExecutionDescription>;
}

export type TaskHandler = (input: any) => Promise<unknown>;

/**
 * An error a Task state fails with: its `name` is the Error that Retry/Catch match, its message
 * the Cause. `isRetryable`/`isCatchable` false make it behave like AWS's States.Runtime, which
 * neither Retry nor Catch (not even States.ALL) handles.
 */
export class TaskError extends Error {
  readonly isRetryable: boolean;
  readonly isCatchable: boolean;
  constructor(name: string, cause: string, handleable = true) {
    super(cause);
    this.name = name;
    this.isRetryable = handleable;
    this.isCatchable = handleable;
  }
}

const LAMBDA_INVOKE = /^arn:aws:states:::lambda:invoke(\..+)?$/;
const LAMBDA_FUNCTION = /^arn:aws:lambda:[^:]+:[^:]+:function:[^:]+(:[^:]+)?$/;
const OPTIMIZED = /^arn:aws:states:::([a-z0-9-]+):([A-Za-z0-9]+)(\.[A-Za-z0-9:]+)?$/;
const AWS_SDK = /^arn:aws:states:::aws-sdk:([a-z0-9-]+):([A-Za-z0-9]+)(\.[A-Za-z0-9:]+)?$/;

/** The handler for one Task Resource, or an explanation of why it cannot run locally. */
export function taskHandlerFor(resource: string, deps: IntegrationDeps): TaskHandler | { unsupported: string } {
  if (LAMBDA_FUNCTION.test(resource)) return (input) => invokeFunction(deps.invoker, resource, input).then((payload) => payload);
  const lambda = LAMBDA_INVOKE.exec(resource);
  if (lambda) {
    if (lambda[1]) return { unsupported: `${resource}: the ${lambda[1]} pattern is not supported locally (only request-response)` };
    return (input) => lambdaInvoke(deps.invoker, input);
  }
  const sdk = AWS_SDK.exec(resource);
  if (sdk) {
    const [, service, action, pattern] = sdk;
    if (pattern) return { unsupported: `${resource}: the ${pattern} pattern is not supported locally` };
    if (service === 'dynamodb') return (input) => dynamodbCall(deps.dynamodbEndpoint, action!, input, 'DynamoDb');
    return { unsupported: `${resource}: AWS SDK integrations other than dynamodb are not supported locally` };
  }
  const optimized = OPTIMIZED.exec(resource);
  if (!optimized) return { unsupported: `${resource}: unknown Task resource` };
  const [, service, action, pattern] = optimized;
  const key = `${service}:${action}`;
  if (key === 'states:startExecution') {
    if (pattern === '.sync' || pattern === '.sync:2') return (input) => startExecutionSync(deps, input, pattern === '.sync:2');
    if (!pattern) return (input) => startExecution(deps, input);
  }
  if (pattern) return { unsupported: `${resource}: the ${pattern} pattern is not supported locally` };
  switch (key) {
    case 'sqs:sendMessage':
      return (input) => sqsSendMessage(deps.queues, input);
    case 'sns:publish':
      return (input) => snsPublish(deps.deliver, input);
    case 'events:putEvents':
      return (input) => eventsPutEvents(deps.deliver, input);
    case 'dynamodb:getItem':
    case 'dynamodb:putItem':
    case 'dynamodb:updateItem':
    case 'dynamodb:deleteItem':
      return (input) => dynamodbCall(deps.dynamodbEndpoint, action!, input, 'DynamoDB');
    default:
      return { unsupported: `${resource}: this service integration is not supported locally` };
  }
}

/** What a Lambda error becomes in Step Functions: Error = errorType, Cause = the error payload as JSON. */
export function lambdaTaskError(error: LambdaError): TaskError {
  return new TaskError(error.errorType, JSON.stringify({ errorType: error.errorType, errorMessage: error.errorMessage, trace: error.stackTrace ?? [] }));
}

async function invokeFunction(invoker: Invoker, target: string, payload: unknown): Promise<unknown> {
  const name = functionTarget(target);
  if (!invoker.has(name)) throw new TaskError('Lambda.ResourceNotFoundException', `Function not found: ${target}`);
  const result = await invokeOrServiceError(invoker, name, payload ?? {});
  if (!result.ok) throw lambdaTaskError(result.error);
  return result.payload ?? null;
}

/** The Invoker rejects only when it cannot run the function at all: Step Functions sees that as Lambda.ServiceException (which the default CDK Retry covers). */
async function invokeOrServiceError(invoker: Invoker, target: string, payload: unknown) {
  try {
    return await invoker.invoke(target, payload);
  } catch (error) {
    throw new TaskError('Lambda.ServiceException', (error as Error).message);
  }
}

/** A function ARN qualified with a version or alias (`...:function:name:live`) names the same local function. */
function functionTarget(target: string): string {
  const parts = target.split(':');
  return target.startsWith('arn:') && parts.length === 8 ? parts.slice(0, 7).join(':') : target;
}

function sdkMetadata(statusCode = 200, headers: Record<string, string> = {}) {
  const requestId = randomUUID();
  const all = { 'x-amzn-RequestId': requestId, 'Content-Type': 'application/json', ...headers };
  return {
    SdkHttpMetadata: { AllHttpHeaders: Object.fromEntries(Object.entries(all).map(([k, v]) => [k, [v]])), HttpHeaders: all, HttpStatusCode: statusCode },
    SdkResponseMetadata: { RequestId: requestId },
  };
}

async function lambdaInvoke(invoker: Invoker, input: Record<string, any>): Promise<unknown> {
  const functionName = input?.FunctionName;
  if (typeof functionName !== 'string') throw new TaskError('States.Runtime', 'lambda:invoke needs Parameters.FunctionName', false);
  const target = functionTarget(functionName);
  if (!invoker.has(target)) throw new TaskError('Lambda.ResourceNotFoundException', `Function not found: ${functionName}`);
  // Payload may be JSON text or any JSON value; Lambda receives it as the event.
  const payload = typeof input.Payload === 'string' ? parseJsonOr(input.Payload) : (input.Payload ?? {});
  if (input.InvocationType === 'Event') {
    invoker.invokeAsync(target, payload);
    return { Payload: '', StatusCode: 202, ...sdkMetadata(202) };
  }
  const result = await invokeOrServiceError(invoker, target, payload);
  if (!result.ok) throw lambdaTaskError(result.error);
  return { ExecutedVersion: '$LATEST', Payload: result.payload ?? null, ...sdkMetadata(200, { 'X-Amz-Executed-Version': '$LATEST' }), StatusCode: 200 };
}

function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Message bodies given as JSON objects in Parameters are sent as their JSON text, as AWS does. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

async function sqsSendMessage(queues: Queues, input: Record<string, any>): Promise<unknown> {
  const queueUrl = input?.QueueUrl;
  if (typeof queueUrl !== 'string' || !queues.has(queueUrl)) throw new TaskError('SQS.QueueDoesNotExistException', `The specified queue does not exist: ${queueUrl}`);
  if (input.MessageBody === undefined) throw new TaskError('SQS.MissingParameterException', 'The request must contain the parameter MessageBody.');
  const sent = await queues.send(queueUrl, {
    body: asText(input.MessageBody),
    ...(input.MessageAttributes ? { messageAttributes: input.MessageAttributes } : {}),
    ...(input.DelaySeconds !== undefined ? { delaySeconds: Number(input.DelaySeconds) } : {}),
    ...(input.MessageGroupId ? { messageGroupId: input.MessageGroupId } : {}),
    ...(input.MessageDeduplicationId ? { deduplicationId: input.MessageDeduplicationId } : {}),
  });
  return { MD5OfMessageBody: sent.md5OfBody, MessageId: sent.messageId, ...(sent.sequenceNumber ? { SequenceNumber: sent.sequenceNumber } : {}), ...sdkMetadata() };
}

async function snsPublish(deliver: Deliver, input: Record<string, any>): Promise<unknown> {
  const topicArn = input?.TopicArn ?? input?.TargetArn;
  if (typeof topicArn !== 'string') throw new TaskError('SNS.InvalidParameterException', 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
  if (input.Message === undefined) throw new TaskError('SNS.InvalidParameterException', 'Invalid parameter: Message');
  await deliverOrFail(deliver, topicArn, {
    body: asText(input.Message),
    ...(input.MessageAttributes ? { attributes: input.MessageAttributes } : {}),
    ...(input.MessageGroupId ? { messageGroupId: input.MessageGroupId } : {}),
  }, 'SNS.NotFoundException');
  return { MessageId: randomUUID(), ...sdkMetadata() };
}

const DEFAULT_BUS_ARN = `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:event-bus/default`;

async function eventsPutEvents(deliver: Deliver, input: Record<string, any>): Promise<unknown> {
  const entries: Array<Record<string, any>> = Array.isArray(input?.Entries) ? input.Entries : [];
  if (entries.length === 0 || entries.length > 10) throw new TaskError('EventBridge.ValidationException', 'Entries must contain between 1 and 10 items');
  const results = [];
  for (const entry of entries) {
    const bus = entry.EventBusName ?? 'default';
    const busArn = String(bus).startsWith('arn:') ? String(bus) : bus === 'default' ? DEFAULT_BUS_ARN : `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:event-bus/${bus}`;
    const detail = entry.Detail === undefined ? '{}' : asText(entry.Detail);
    await deliverOrFail(deliver, busArn, {
      body: detail,
      event: { source: String(entry.Source), detailType: String(entry.DetailType), detail, ...(entry.Resources ? { resources: entry.Resources } : {}) },
    }, 'EventBridge.ResourceNotFoundException');
    results.push({ EventId: randomUUID() });
  }
  return { Entries: results, FailedEntryCount: 0 };
}

async function deliverOrFail(deliver: Deliver, arn: string, message: Parameters<Deliver>[1], errorName: string): Promise<void> {
  try {
    await deliver(arn, message);
  } catch (error) {
    throw new TaskError(errorName, (error as Error).message);
  }
}

/** Calls dynalite with the low-level AttributeValue shapes the Parameters already carry. */
async function dynamodbCall(endpoint: string, action: string, input: Record<string, any>, errorPrefix: string): Promise<unknown> {
  const sdk: Record<string, any> = await import('@aws-sdk/client-dynamodb');
  const Command = sdk[`${action.charAt(0).toUpperCase()}${action.slice(1)}Command`];
  if (typeof Command !== 'function') throw new TaskError('States.Runtime', `DynamoDB has no ${action} action`, false);
  const client = dynamodbClient(sdk, endpoint);
  try {
    const { $metadata: _metadata, ...output } = await client.send(new Command(input));
    return errorPrefix === 'DynamoDB' ? { ...output, ...sdkMetadata() } : output;
  } catch (error) {
    const name = (error as Error).name;
    throw new TaskError(`${errorPrefix}.${name.endsWith('Exception') ? name : `${name}Exception`}`, (error as Error).message);
  }
}

const dynamodbClients = new Map<string, any>();
function dynamodbClient(sdk: Record<string, any>, endpoint: string): any {
  let client = dynamodbClients.get(endpoint);
  if (!client) {
    client = new sdk.DynamoDBClient({ region: LOCAL_REGION, endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    dynamodbClients.set(endpoint, client);
  }
  return client;
}

/** Releases the DynamoDB clients the integrations opened for `endpoint`. */
export function closeIntegrationClients(endpoint: string): void {
  dynamodbClients.get(endpoint)?.destroy();
  dynamodbClients.delete(endpoint);
}

async function startExecution(deps: IntegrationDeps, input: Record<string, any>): Promise<unknown> {
  const started = await startNested(deps, input);
  return { ExecutionArn: started.executionArn, StartDate: started.startDate.getTime(), ...sdkMetadata() };
}

async function startNested(deps: IntegrationDeps, input: Record<string, any>) {
  const arn = input?.StateMachineArn;
  if (typeof arn !== 'string') throw new TaskError('StepFunctions.InvalidArnException', 'StateMachineArn is required');
  try {
    return await deps.startExecution(arn, input.Input === undefined ? '{}' : asText(input.Input), input.Name);
  } catch (error) {
    throw new TaskError(`StepFunctions.${(error as Error).name}`, (error as Error).message);
  }
}

/** `.sync` waits for the child; `.sync:2` returns its Output as JSON rather than text. A failed child fails the task with States.TaskFailed. */
async function startExecutionSync(deps: IntegrationDeps, input: Record<string, any>, outputAsJson: boolean): Promise<unknown> {
  const started = await startNested(deps, input);
  const done = await deps.waitForExecution(started.executionArn);
  const description = {
    ExecutionArn: done.executionArn,
    Input: outputAsJson ? parseJsonOr(done.input) : done.input,
    InputDetails: { Included: true },
    Name: done.name,
    ...(done.output !== undefined ? { Output: outputAsJson ? parseJsonOr(done.output) : done.output, OutputDetails: { Included: true } } : {}),
    StartDate: done.startDate.getTime(),
    StateMachineArn: done.stateMachineArn,
    Status: done.status,
    ...(done.stopDate ? { StopDate: done.stopDate.getTime() } : {}),
    ...(done.error ? { Error: done.error } : {}),
    ...(done.cause ? { Cause: done.cause } : {}),
  };
  if (done.status !== 'SUCCEEDED') throw new TaskError('States.TaskFailed', JSON.stringify(description));
  return description;
}

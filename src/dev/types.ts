/**
 * What the pieces of `sprout dev` share: the synthesized app with every intrinsic resolved to
 * local names, ARNs and URLs, and the small ports each emulated service is written against
 * (invoking a function, delivering to an ARN, logging). Each piece reads the resources it serves
 * straight from the CloudFormation: there is no second description of the app.
 */

/** The pseudo account and region every local resource lives in. */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_PARTITION = 'aws';

/** One resource of one synthesized stack, its properties resolved (no Ref/Fn:: left where they could be resolved). */
export interface ResolvedResource {
  stack: string;
  logicalId: string;
  type: string;
  /** The Properties with intrinsics resolved to local values; a value that cannot be resolved locally is left as an `{ unresolved: string }` marker. */
  properties: Record<string, any>;
  metadata: Record<string, unknown>;
  /** What `Ref` gives locally (a name, a URL for queues, an ARN for topics and state machines, ...). */
  ref: string;
  /** What `Fn::GetAtt` gives locally, by attribute name (Arn, QueueUrl, StreamArn, ...). */
  attributes: Record<string, string>;
}

export interface ResolvedApp {
  /** The cloud assembly folder (cdk.out) the app was read from. */
  assemblyDir: string;
  stacks: string[];
  resources: ResolvedResource[];
  outputs: Array<{ stack: string; key: string; value: string; description?: string }>;
  /** Resources of the given CloudFormation type, in template order. */
  ofType(type: string): ResolvedResource[];
  /** The resource whose Ref or Arn attribute is `refOrArn`. */
  find(refOrArn: string): ResolvedResource | undefined;
  /** A file asset's folder in the assembly, from its S3 object key (`<hash>.zip`); undefined when it is not a folder asset of this assembly. */
  assetDir(objectKey: string): string | undefined;
}

/** Where the local AWS services listen; environment variables and resolved URLs point here. */
export interface LocalEndpoints {
  dynamodb: string;
  s3: string;
  kinesis: string;
  /** The one HTTP server for SQS, SNS, EventBridge, Step Functions and Lambda's Invoke API. */
  aws: string;
}

export interface LambdaError {
  errorType: string;
  errorMessage: string;
  stackTrace?: string[];
}

export type InvokeResult = { ok: true; payload: unknown } | { ok: false; error: LambdaError };

/** Runs the project's handlers (by function name or ARN), one invocation per execution environment, as Lambda does. */
export interface Invoker {
  /** Synchronous (RequestResponse) invocation: the handler's result or its error. Rejects only when the function does not exist. */
  invoke(target: string, event: unknown): Promise<InvokeResult>;
  /** Asynchronous (Event) invocation: queued, retried and sent to destinations as the function's async config says. */
  invokeAsync(target: string, event: unknown): void;
  /** Whether `target` is a function of this app. */
  has(target: string): boolean;
}

/** Delivers a message to any ARN-addressed resource (queue, topic, event bus, function, state machine): destinations, DLQs and targets go through it. */
export interface Deliver {
  (arn: string, message: Delivery): Promise<void>;
}

export interface Delivery {
  /** The message body (JSON text for destinations and events). */
  body: string;
  /** For an event bus: the event's fields (Source, DetailType, Detail ...). */
  event?: { source: string; detailType: string; detail: string; resources?: string[] };
  /** For SQS: message attributes, FIFO group. */
  attributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
  messageGroupId?: string;
}

/** One line of the sandbox's log: the terminal prints it, --json writes it as one JSON object. */
export interface DevLogEvent {
  kind: 'request' | 'invoke' | 'output' | 'trigger' | 'info' | 'warning' | 'error';
  /** Who: a function name, an API, a queue, `cloudfront`, ... */
  source: string;
  message: string;
  /** Structured extras (status, duration, ids). */
  data?: Record<string, unknown>;
}

export type DevLog = (event: DevLogEvent) => void;

/**
 * AWS's waits (visibility timeouts, async retry back-off, batching windows) multiplied by
 * `scale`: 1 is AWS's timing, sprout dev's default shortens them so a poison message reaches its
 * DLQ in seconds. Never applied to a function's own timeout.
 */
export interface DevTiming {
  scale: number;
}

export function scaled(timing: DevTiming, ms: number): number {
  return Math.max(0, Math.round(ms * timing.scale));
}

/** An SQS message as ReceiveMessage returns it. */
export interface QueueMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  /** System attributes: ApproximateReceiveCount, SentTimestamp, ApproximateFirstReceiveTimestamp, SenderId, MessageGroupId, ... */
  attributes: Record<string, string>;
  messageAttributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
}

export interface SendInput {
  body: string;
  messageAttributes?: QueueMessage['messageAttributes'];
  delaySeconds?: number;
  messageGroupId?: string;
  deduplicationId?: string;
}

/** The local SQS: every queue of the app, addressed by URL, ARN or name. */
export interface Queues {
  has(queue: string): boolean;
  send(queue: string, input: SendInput): Promise<{ messageId: string; md5OfBody: string; sequenceNumber?: string }>;
  /** Up to `max` visible messages (each becomes invisible for the visibility timeout); waits up to waitMs for one. A message received more than its redrive policy's maxReceiveCount times moves to the DLQ instead. */
  receive(queue: string, options: { max: number; visibilityTimeoutSeconds?: number; waitMs?: number }): Promise<QueueMessage[]>;
  /** Throws an AWS-shaped error (ReceiptHandleIsInvalid) for an unknown handle. */
  delete(queue: string, receiptHandle: string): void;
  changeVisibility(queue: string, receiptHandle: string, seconds: number): void;
  counts(queue: string): { visible: number; inFlight: number; delayed: number };
  /** The queue's ARN (for event records' eventSourceARN). */
  arnOf(queue: string): string;
}

export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  startDate: Date;
  stopDate?: Date;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}

/** The local Step Functions: every state machine of the app, run with aws-local-stepfunctions. */
export interface StateMachines {
  has(stateMachineArn: string): boolean;
  start(stateMachineArn: string, input: string, name?: string): Promise<{ executionArn: string; startDate: Date }>;
  /** Express-style: waits for the end. */
  startSync(stateMachineArn: string, input: string, name?: string): Promise<ExecutionDescription>;
  describe(executionArn: string): ExecutionDescription | undefined;
  list(stateMachineArn: string): ExecutionDescription[];
  /** GetExecutionHistory: the execution's events as Step Functions lists them, oldest first; undefined for an unknown execution. */
  executionHistory?(executionArn: string): Array<Record<string, unknown>> | undefined;
  /** StopExecution: aborts a running execution (status ABORTED); undefined for an unknown execution. */
  stop?(executionArn: string, error?: string, cause?: string): ExecutionDescription | undefined;
}

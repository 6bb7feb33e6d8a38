// Ships into every generated project as test/sprout/async.ts (npm run sync:runtime in sprout).
// The rules every asynchronous consumer of a sprout project follows, checked on a synthesized
// stack: a failed message or event must land somewhere it can be repaired from, retries must be
// finite, and an SQS message must not reappear while a consumer still works on it.
import type { Template } from 'aws-cdk-lib/assertions';

type Resource = { Type: string; Properties?: Record<string, any> };
type Resources = Record<string, Resource>;

/** The services that invoke a Lambda function asynchronously (Lambda queues the event and retries). */
const ASYNC_INVOKERS = ['s3.amazonaws.com', 'sns.amazonaws.com', 'events.amazonaws.com'];
/** Lambda's default function timeout and SQS's default visibility timeout, in seconds. */
const DEFAULT_FUNCTION_TIMEOUT = 3;
const DEFAULT_VISIBILITY_TIMEOUT = 30;

/** The logical id a `Ref` / `Fn::GetAtt` points at, if the value is one. */
function referencedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const ref = (value as { Ref?: unknown }).Ref;
  if (typeof ref === 'string') return ref;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

function functionTimeout(resources: Resources, functionId: string | undefined): number | undefined {
  const fn = functionId ? resources[functionId] : undefined;
  if (fn?.Type !== 'AWS::Lambda::Function') return undefined;
  return fn.Properties?.Timeout ?? DEFAULT_FUNCTION_TIMEOUT;
}

function sqsMappingProblems(resources: Resources, id: string, mapping: Record<string, any>, queueId: string): string[] {
  const problems: string[] = [];
  const queue = resources[queueId]?.Properties ?? {};
  if (!mapping.FunctionResponseTypes?.includes('ReportBatchItemFailures')) {
    problems.push(`${id}: the SQS mapping does not report partial batch failures (ReportBatchItemFailures), so one bad message retries its whole batch`);
  }
  if (!queue.RedrivePolicy?.deadLetterTargetArn || !queue.RedrivePolicy?.maxReceiveCount) {
    problems.push(`${id}: queue ${queueId} has no redrive policy, so a poison message is retried until it expires`);
  }
  const timeout = functionTimeout(resources, referencedId(mapping.FunctionName));
  if (timeout === undefined) {
    problems.push(`${id}: its function is not a function of this stack, so the queue's visibility timeout cannot be checked`);
  } else {
    const window = mapping.MaximumBatchingWindowInSeconds ?? 0;
    const visibility = queue.VisibilityTimeout ?? DEFAULT_VISIBILITY_TIMEOUT;
    if (visibility < 6 * timeout + window) {
      problems.push(
        `${id}: queue ${queueId} has a visibility timeout of ${visibility} s, under 6 × the function timeout (${timeout} s)` +
          (window ? ` + the batching window (${window} s)` : '') +
          ': a message still being processed would be delivered again',
      );
    }
  }
  return problems;
}

function streamMappingProblems(id: string, mapping: Record<string, any>): string[] {
  const problems: string[] = [];
  if (mapping.BisectBatchOnFunctionError !== true) {
    problems.push(`${id}: the stream mapping does not bisect a failing batch, so one bad record blocks its shard`);
  }
  const retries = mapping.MaximumRetryAttempts;
  if (typeof retries !== 'number' || retries < 0) {
    problems.push(`${id}: the stream mapping retries until the record expires (set MaximumRetryAttempts)`);
  }
  if (!mapping.DestinationConfig?.OnFailure?.Destination) {
    problems.push(`${id}: the stream mapping has no on-failure destination, so a skipped batch leaves no trace`);
  }
  return problems;
}

function asyncInvocationProblems(resources: Resources): string[] {
  const invoked = new Map<string, string>();
  for (const permission of Object.values(resources)) {
    if (permission.Type !== 'AWS::Lambda::Permission') continue;
    const principal = permission.Properties?.Principal;
    const functionId = referencedId(permission.Properties?.FunctionName);
    if (functionId && ASYNC_INVOKERS.includes(principal)) invoked.set(functionId, principal);
  }
  const problems: string[] = [];
  for (const [functionId, principal] of invoked) {
    const hasDestination = Object.values(resources).some(
      (config) =>
        config.Type === 'AWS::Lambda::EventInvokeConfig' &&
        referencedId(config.Properties?.FunctionName) === functionId &&
        config.Properties?.DestinationConfig?.OnFailure?.Destination,
    );
    const hasDeadLetterQueue = Boolean(resources[functionId]?.Properties?.DeadLetterConfig?.TargetArn);
    if (!hasDestination && !hasDeadLetterQueue) {
      problems.push(`${functionId}: invoked asynchronously by ${principal} but has neither an on-failure destination nor a dead-letter queue, so an event that fails every retry is lost`);
    }
  }
  return problems;
}

/**
 * Everything in the stack that breaks the rules for asynchronous consumers, one sentence each
 * (an empty list when the stack is sound):
 * - an SQS event source mapping reports partial batch failures, its queue has a redrive policy
 *   (a dead-letter queue) and a visibility timeout of at least 6 × the function timeout (plus the
 *   batching window), as Lambda's documentation asks;
 * - a Kinesis or DynamoDB stream mapping bisects failing batches, retries a finite number of
 *   times and has an on-failure destination;
 * - a function that S3, SNS or EventBridge invokes asynchronously has an on-failure destination
 *   (EventInvokeConfig) or a dead-letter queue.
 */
export function asyncConsumerProblems(template: Template): string[] {
  const resources = (template.toJSON().Resources ?? {}) as Resources;
  const problems: string[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::EventSourceMapping') continue;
    const mapping = resource.Properties ?? {};
    const sourceId = referencedId(mapping.EventSourceArn);
    const sourceType = sourceId ? resources[sourceId]?.Type : undefined;
    if (sourceType === 'AWS::SQS::Queue') problems.push(...sqsMappingProblems(resources, id, mapping, sourceId!));
    else if (sourceType === 'AWS::Kinesis::Stream' || sourceType === 'AWS::Kinesis::StreamConsumer' || sourceType === 'AWS::DynamoDB::Table') {
      problems.push(...streamMappingProblems(id, mapping));
    } else problems.push(`${id}: its event source is not a queue, stream or table of this stack, so it cannot be checked`);
  }
  return [...problems, ...asyncInvocationProblems(resources)];
}

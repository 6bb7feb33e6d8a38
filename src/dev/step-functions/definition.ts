/**
 * Reads a state machine's Amazon States Language definition and prepares it for
 * aws-local-stepfunctions: what cannot run locally is named, AWS's waits are scaled, and every
 * Task (also inside Parallel branches and Map processors) is listed so the runner can override
 * it with a local handler.
 */

/** A Task state (or a Wait state turned into one) the runner must give a local handler. */
export interface TaskSite {
  /** State names are unique across a whole state machine (nested ones included), so the name is the key. */
  name: string;
  resource: string;
  /** Set when this Task replaces a Wait state whose duration is only known at run time. */
  wait?: { timestamp?: string; secondsPath?: string; timestampPath?: string };
}

export interface PreparedDefinition {
  /** The definition to run (a deep copy, rewritten). */
  definition: Record<string, any>;
  tasks: TaskSite[];
  /** Why this machine cannot run locally, when it cannot. */
  unsupported?: string;
}

/** The Resource a Wait state turned into a Task carries (never dispatched to AWS). */
export const LOCAL_WAIT_RESOURCE = 'arn:aws:states:::sprout:wait';

/**
 * The largest Task timeout a Node timer can hold (2^31-1 ms). AWS's default Task timeout is
 * 99999999 s, effectively none; aws-local-stepfunctions defaults to 60 s, which would cut long
 * Lambda tasks that AWS lets run, and a larger value overflows setTimeout (fires at once).
 */
const UNBOUNDED_TASK_TIMEOUT_SECONDS = 2_147_483;

/** Parses DefinitionString (JSON text) or Definition (object) of an AWS::StepFunctions::StateMachine. */
export function readDefinition(properties: Record<string, any>): Record<string, any> {
  if (typeof properties.DefinitionString === 'string') return JSON.parse(properties.DefinitionString);
  if (properties.Definition && typeof properties.Definition === 'object') return structuredClone(properties.Definition);
  if (properties.DefinitionS3Location) throw new Error('DefinitionS3Location is not supported locally (the definition is not in the template)');
  throw new Error('the state machine has no DefinitionString or Definition');
}

/**
 * Rewrites a definition for local runs with `scale` applied to Retry intervals and Wait states
 * (the runner reads IntervalSeconds/MaxDelaySeconds/Seconds as plain numbers, so fractional
 * scaled values keep AWS's back-off and jitter arithmetic intact).
 */
export function prepareDefinition(original: Record<string, any>, scale: number): PreparedDefinition {
  const definition = structuredClone(original);
  const tasks: TaskSite[] = [];
  const problems: string[] = [];
  if (definition.QueryLanguage === 'JSONata') problems.push('JSONata query language is not supported by aws-local-stepfunctions');
  walk(definition, (name, state) => {
    if (state.QueryLanguage === 'JSONata') problems.push(`state "${name}" uses JSONata, which aws-local-stepfunctions does not support`);
    if (Array.isArray(state.Retry)) state.Retry = state.Retry.map((retrier: Record<string, any>) => scaleRetrier(retrier, scale));
    if (state.Type === 'Map') {
      const distributed = state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
      const features = ['ItemReader', 'ResultWriter', 'ItemBatcher'].filter((key) => key in state);
      if (features.length) problems.push(`Distributed Map "${name}" uses ${features.join(', ')}, which aws-local-stepfunctions does not support`);
      else if (distributed) delete state.ItemProcessor.ProcessorConfig; // over an inline array a distributed Map runs like an inline one
      delete state.Label;
      delete state.ToleratedFailurePercentage;
      delete state.ToleratedFailureCount;
    }
    if (state.Type === 'Task') {
      if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) state.TimeoutSeconds = UNBOUNDED_TASK_TIMEOUT_SECONDS;
      delete state.HeartbeatSeconds;
      delete state.HeartbeatSecondsPath;
      delete state.Credentials;
      tasks.push({ name, resource: String(state.Resource) });
    }
    if (state.Type === 'Wait') {
      if (typeof state.Seconds === 'number') {
        state.Seconds = state.Seconds * scale;
      } else {
        // Timestamp/SecondsPath/TimestampPath are only known at run time: a Task with a local
        // handler computes and scales them (same InputPath/OutputPath, output = its input).
        const wait = { timestamp: state.Timestamp, secondsPath: state.SecondsPath, timestampPath: state.TimestampPath };
        for (const key of ['Timestamp', 'SecondsPath', 'TimestampPath']) delete state[key];
        state.Type = 'Task';
        state.Resource = LOCAL_WAIT_RESOURCE;
        state.TimeoutSeconds = UNBOUNDED_TASK_TIMEOUT_SECONDS;
        tasks.push({ name, resource: LOCAL_WAIT_RESOURCE, wait });
      }
    }
  });
  return { definition, tasks, ...(problems.length ? { unsupported: problems.join('; ') } : {}) };
}

function scaleRetrier(retrier: Record<string, any>, scale: number): Record<string, any> {
  const scaled: Record<string, any> = { ...retrier, IntervalSeconds: (retrier.IntervalSeconds ?? 1) * scale };
  if (typeof retrier.MaxDelaySeconds === 'number') scaled.MaxDelaySeconds = retrier.MaxDelaySeconds * scale;
  return scaled;
}

/** Visits every state, nested Parallel branches and Map processors (Iterator or ItemProcessor) included. */
export function walk(definition: Record<string, any>, visit: (name: string, state: Record<string, any>) => void): void {
  for (const [name, state] of Object.entries<Record<string, any>>(definition.States ?? {})) {
    visit(name, state);
    for (const branch of state.Branches ?? []) walk(branch, visit);
    if (state.Iterator) walk(state.Iterator, visit);
    if (state.ItemProcessor) walk(state.ItemProcessor, visit);
  }
}

import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../infra/build-app.js';
import type { Options } from '../infra/config.js';
import { TASK_FUNCTIONS, TRANSIENT_ERRORS } from '../infra/constructs/order-workflow.js';
import type { OrderWorkflowStack } from '../infra/stacks/order-workflow-stack.js';
import { asyncConsumerProblems } from './sprout/async.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';

const apps: TestApp[] = [];
afterAll(() => apps.forEach((app) => app.cleanUp()));

function build(options: Partial<Options> = {}): { stack: OrderWorkflowStack; template: Template } {
  const test = testApp({ bundle: false });
  apps.push(test);
  const stack = buildApp(test.app, options);
  return { stack, template: Template.fromStack(stack) };
}

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;
type State = Record<string, any>;

/** The definition with every reference written <LogicalId>, and each Task state by name at any depth. */
function definitionOf(template: Template): { definition: State; tasks: Record<string, State> } {
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  const flatten = (value: any): string =>
    typeof value === 'string' ? value : value['Fn::Join'] ? value['Fn::Join'][1].map(flatten).join('') : value['Fn::GetAtt'] ? `<${value['Fn::GetAtt'][0]}>` : 'aws';
  const definition = JSON.parse(flatten(machine!.Properties.DefinitionString));
  const tasks: Record<string, State> = {};
  const walk = (states: Record<string, State>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task') tasks[name] = state;
      for (const branch of state.Branches ?? []) walk(branch.States);
      if (state.ItemProcessor) walk(state.ItemProcessor.States);
    }
  };
  walk(definition.States);
  return { definition, tasks };
}

const variants: Array<[string, Partial<Options>]> = [
  ['standard (sprout.json)', {}],
  ['express', { workflowType: 'express' }],
  ['express, ERROR logs, no retries', { workflowType: 'express', logLevel: 'ERROR', maxRetryAttempts: 0 }],
];

describe.each(variants)('%s', (_, options) => {
  const { stack, template } = build(options);
  const workflowType = options.workflowType ?? 'standard';
  const logLevel = options.logLevel ?? 'ALL';

  it('is the chosen workflow type, traced with X-Ray, logging at the chosen level with execution data', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: workflowType.toUpperCase(),
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: logLevel,
        IncludeExecutionData: true,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: Match.anyValue() } }],
      },
    });
    // The vended-logs prefix spares a CloudWatch Logs resource policy per log group.
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: Match.stringLikeRegexp('^/aws/vendedlogs/states/'), RetentionInDays: 30 });
  });

  it('times out within what the type allows: 5 minutes for Express, an hour for Standard', () => {
    expect(definitionOf(template).definition.TimeoutSeconds).toBe(workflowType === 'express' ? 300 : 3600);
  });

  it('lets the state machine invoke its four functions and nothing else', () => {
    const roleId = Object.entries(template.findResources('AWS::IAM::Role')).find(([, r]) => r.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service === 'states.amazonaws.com')![0];
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId));
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    const invoke = statements.filter((s) => s.Action === 'lambda:InvokeFunction');
    expect(invoke).toHaveLength(1);
    const functionIds = TASK_FUNCTIONS.map((entry) => stack.getLogicalId(stack.workflow.functions[entry].function.node.defaultChild as never)).sort();
    const invoked = JSON.stringify(invoke[0].Resource);
    const referenced = [...invoked.matchAll(/"Fn::GetAtt":\["([A-Za-z0-9]+)","Arn"\]/g)].map((m) => m[1]);
    expect([...new Set(referenced)].sort()).toEqual(functionIds);
    // Everything else is log delivery and X-Ray, which have no resource-level permissions.
    const others = statements.filter((s) => s !== invoke[0]).flatMap((s) => [s.Action].flat());
    expect(others.every((action: string) => /^(logs|xray):/.test(action))).toBe(true);
  });

  it('has no asynchronous consumer without a failure destination (executions are started through the API)', () => {
    expect(asyncConsumerProblems(template)).toEqual([]);
  });

  it('invokes each task\'s own function by its ARN, with the state\'s input as the event, and times the call out after 30 s', () => {
    const { tasks } = definitionOf(template);
    const functionOf = { Validate: 'validate-order', PriceLine: 'price-line', AssessRisk: 'assess-risk', Quote: 'build-quote' } as const;
    expect(Object.keys(tasks).sort()).toEqual(Object.keys(functionOf).sort());
    for (const [name, entry] of Object.entries(functionOf)) {
      const fnId = stack.getLogicalId(stack.workflow.functions[entry].function.node.defaultChild as never);
      expect(tasks[name]).toMatchObject({ Resource: `<${fnId}>`, TimeoutSeconds: 30 });
      expect(tasks[name]).not.toHaveProperty('Parameters');
      expect(tasks[name]).not.toHaveProperty('OutputPath');
    }
  });
});

describe('Retry and Catch', () => {
  it('retries only transient errors, with exponential backoff, a cap and full jitter, as sprout.json says', () => {
    const { tasks } = definitionOf(build({ maxRetryAttempts: 5, retryIntervalSeconds: 10 }).template);
    for (const task of Object.values(tasks)) {
      expect(task.Retry).toEqual([
        { ErrorEquals: TRANSIENT_ERRORS, IntervalSeconds: 10, MaxAttempts: 5, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: 'FULL' },
      ]);
    }
    expect(TRANSIENT_ERRORS).toEqual(expect.arrayContaining(['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'TransientError']));
    expect(TRANSIENT_ERRORS).not.toContain('ValidationError');
    expect(TRANSIENT_ERRORS).not.toContain('Lambda.Unknown');
  });

  it('has no Retry when maxRetryAttempts is 0', () => {
    for (const task of Object.values(definitionOf(build({ maxRetryAttempts: 0 }).template).tasks)) expect(task.Retry).toBeUndefined();
  });

  it('sends ValidationError to Rejected and anything else to Failed, which keeps the original error and cause', () => {
    const { definition, tasks } = definitionOf(build().template);
    expect(tasks.Validate!.Catch).toEqual([
      { ErrorEquals: ['ValidationError'], ResultPath: '$.error', Next: 'ReadRejection' },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' },
    ]);
    expect(definition.States.Price.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' }]);
    expect(tasks.Quote!.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' }]);
    expect(definition.States.Failed).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
  });
});

describe('task functions', () => {
  const { stack, template } = build();
  const resources = template.toJSON().Resources as Resources;
  const fnId = (entry: (typeof TASK_FUNCTIONS)[number]) => stack.getLogicalId(stack.workflow.functions[entry].function.node.defaultChild as never);

  it('run on Node.js 24, arm64, with X-Ray, and a 10 s timeout under the task\'s 30 s', () => {
    for (const entry of TASK_FUNCTIONS) {
      expect(resources[fnId(entry)]!.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, Timeout: 10 });
    }
  });

  it('only price-line reads the feature flags, and only those two AppConfig actions', () => {
    for (const entry of TASK_FUNCTIONS) {
      const env = resources[fnId(entry)]!.Properties.Environment.Variables;
      expect(Object.keys(env).filter((k) => k.startsWith('SPROUT_FLAGS_')).length, entry).toBe(entry === 'price-line' ? 3 : 0);
    }
    const appconfig = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('appconfig:GetLatestConfiguration'));
    expect(appconfig).toHaveLength(1);
    expect(JSON.stringify(appconfig[0]!.Properties.Roles)).toContain(stack.getLogicalId(stack.workflow.functions['price-line'].role.node.defaultChild as never));
  });

  it('outputs the state machine ARN, its type and the flag store', () => {
    template.hasOutput('StateMachineArn', { Value: { Ref: Match.anyValue() } });
    template.hasOutput('WorkflowType', { Value: 'STANDARD' });
    for (const key of ['FlagsApplicationId', 'FlagsEnvironmentId', 'FlagsProfileId', 'FlagsDeploymentStrategyId']) template.hasOutput(key, {});
  });
});

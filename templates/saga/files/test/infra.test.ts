import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../src/lib/choreography.js';
import { COMPENSATIONS, ENTRIES, FORWARD_STEPS, type SagaFunction } from '../src/lib/saga.js';
import { definitionOf } from './helpers/state-machine.js';
import { type Resource, type Resources, sagaFunctionOf, synthesize } from './helpers/template.js';
import { asyncConsumerProblems } from './sprout/async.js';

let orchestration: Template;
let choreography: Template;
beforeAll(() => {
  orchestration = synthesize({ coordination: 'orchestration' });
  choreography = synthesize({ coordination: 'choreography' });
});

const resources = (template: Template) => template.toJSON().Resources as Resources;
const ofType = (template: Template, type: string) => Object.entries(resources(template)).filter(([, r]) => r.Type === type);
const idOf = (template: Template, prefix: string) => {
  const ids = Object.keys(resources(template)).filter((id) => new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id));
  expect(ids, prefix).toHaveLength(1);
  return ids[0]!;
};

/** Every statement of the policies attached to one function's role. */
function statementsOf(template: Template, fn: SagaFunction): Array<{ Action: string | string[]; Resource: unknown }> {
  const roleId = idOf(template, `${fn}Role`);
  return ofType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
}
const actions = (statement: { Action: string | string[] }) => [statement.Action].flat();
const refersTo = (value: unknown, id: string) => JSON.stringify(value).includes(`"${id}"`);

describe.each(['orchestration', 'choreography'] as const)('%s', (coordination) => {
  const template = () => (coordination === 'orchestration' ? orchestration : choreography);

  it('follows the rules for asynchronous consumers (DLQ or on-failure destination for every one)', () => {
    expect(asyncConsumerProblems(template())).toEqual([]);
  });

  it('deploys the six saga functions on Node.js 24, arm64, with tracing, told how they are coordinated', () => {
    for (const fn of Object.keys(ENTRIES) as SagaFunction[]) {
      const [, lambda] = ofType(template(), 'AWS::Lambda::Function').find(([id]) => id.startsWith(`${fn}Function`))!;
      expect(lambda.Properties, fn).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: expect.objectContaining({ SAGA_COORDINATION: coordination }) },
      });
    }
  });

  it('lets each function use only its own service\'s table, with only the DynamoDB actions it calls', () => {
    const own: Record<SagaFunction, [string, string[]]> = {
      ReserveInventory: ['InventoryTable', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']],
      ReleaseInventory: ['InventoryTable', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']],
      ChargePayment: ['PaymentsTable', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']],
      RefundPayment: ['PaymentsTable', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']],
      ArrangeShipping: ['ShipmentsTable', ['dynamodb:GetItem', 'dynamodb:PutItem']],
      CancelShipment: ['ShipmentsTable', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']],
    };
    for (const [fn, [table, expected]] of Object.entries(own) as Array<[SagaFunction, [string, string[]]]>) {
      const dynamo = statementsOf(template(), fn).filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')));
      expect(dynamo.flatMap(actions).sort(), fn).toEqual(expected);
      for (const statement of dynamo) expect(refersTo(statement.Resource, idOf(template(), table)), `${fn} → ${table}`).toBe(true);
    }
  });

  it('keeps business records: on-demand tables with point-in-time recovery, retained with the stack', () => {
    const tables = ofType(template(), 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(3);
    for (const [, table] of tables) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.Properties).toMatchObject({ BillingMode: 'PAY_PER_REQUEST', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
    }
  });

  it('keeps failed compensations in an encrypted repair queue for dlqRetentionDays, with an alarm', () => {
    template().hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 14 * 86_400, SqsManagedSseEnabled: true });
    const queue = idOf(template(), 'RepairQueue');
    template().hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    synthesize({ coordination, dlqRetentionDays: 3 }).hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 3 * 86_400 });
  });
});

describe('orchestration', () => {
  it('is a Standard state machine with full logging and tracing, and no event bus', () => {
    orchestration.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    });
    orchestration.resourceCountIs('AWS::Events::EventBus', 0);
    orchestration.hasOutput('StateMachineArn', {});
  });

  it('lets the state machine invoke the six functions and send to the repair queue, nothing else', () => {
    const [machine] = ofType(orchestration, 'AWS::StepFunctions::StateMachine') as Array<[string, Resource]>;
    const roleId = machine![1].Properties.RoleArn['Fn::GetAtt'][0];
    const statements = ofType(orchestration, 'AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);
    const invoke = statements.filter((s) => actions(s).includes('lambda:InvokeFunction'));
    const invoked = new Set(JSON.stringify(invoke.map((s) => s.Resource)).match(/[A-Za-z]+Function[0-9A-F]{8}/g)!.map(sagaFunctionOf));
    expect([...invoked].sort()).toEqual(Object.keys(ENTRIES).sort());
    const send = statements.filter((s) => actions(s).some((a) => a.startsWith('sqs:')));
    expect(send.map((s) => actions(s))).toEqual([['sqs:SendMessage']]);
    expect(refersTo(send[0]!.Resource, idOf(orchestration, 'RepairQueue'))).toBe(true);
  });

  it('retries each compensation compensationRetryAttempts times with backoff, and not at all with 0', () => {
    const retriesOf = (template: Template) =>
      Object.fromEntries(COMPENSATIONS.map((c) => [c, (definitionOf(template).definition.States[c] as { Retry?: Array<{ MaxAttempts: number }> }).Retry?.map((r) => r.MaxAttempts)]));
    expect(retriesOf(orchestration)).toEqual({ ReleaseInventory: [3], RefundPayment: [3], CancelShipment: [3] });
    expect(retriesOf(synthesize({ compensationRetryAttempts: 7 }))).toEqual({ ReleaseInventory: [7], RefundPayment: [7], CancelShipment: [7] });
    expect(retriesOf(synthesize({ compensationRetryAttempts: 0 }))).toEqual({ ReleaseInventory: undefined, RefundPayment: undefined, CancelShipment: undefined });
  });

  it('ends a compensated order in a Fail state with a clear error', () => {
    const { definition } = definitionOf(orchestration);
    expect(definition.States.OrderFailed).toEqual({ Type: 'Fail', Error: 'OrderFailed', CausePath: '$.outcome.cause' });
  });
});

describe('choreography', () => {
  const functionOfTarget = (target: { Arn: { 'Fn::GetAtt': [string, string] } }) => sagaFunctionOf(target.Arn['Fn::GetAtt'][0]);

  it('has a custom bus, a rule per route and per function failure, and no state machine', () => {
    choreography.resourceCountIs('AWS::Events::EventBus', 1);
    choreography.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    expect(ofType(choreography, 'AWS::Events::Rule')).toHaveLength(ROUTES.length + FORWARD_STEPS.length + COMPENSATIONS.length);
    choreography.hasOutput('EventBusName', {});
  });

  it('gives every rule target a retry policy and a dead-letter queue', () => {
    const undelivered = idOf(choreography, 'UndeliveredEvents');
    for (const [id, rule] of ofType(choreography, 'AWS::Events::Rule')) {
      for (const target of rule.Properties.Targets) {
        expect(target, id).toMatchObject({ RetryPolicy: { MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 3600 }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [undelivered, 'Arn'] } } });
      }
    }
  });

  it('puts every function\'s failure on the bus after Lambda\'s retries: 2 for steps, min(compensationRetryAttempts, 2) for compensations', () => {
    const retries = (template: Template) =>
      Object.fromEntries(
        ofType(template, 'AWS::Lambda::EventInvokeConfig').map(([, config]) => {
          expect(config.Properties.DestinationConfig.OnFailure.Destination).toEqual({ 'Fn::GetAtt': [idOf(template, 'ChoreographyBus'), 'Arn'] });
          return [sagaFunctionOf(config.Properties.FunctionName.Ref), config.Properties.MaximumRetryAttempts];
        }),
      );
    const steps = { ReserveInventory: 2, ChargePayment: 2, ArrangeShipping: 2 };
    expect(retries(choreography)).toEqual({ ...steps, CancelShipment: 2, RefundPayment: 2, ReleaseInventory: 2 });
    expect(retries(synthesize({ coordination: 'choreography', compensationRetryAttempts: 1 }))).toEqual({ ...steps, CancelShipment: 1, RefundPayment: 1, ReleaseInventory: 1 });
  });

  it('lets each function publish on the saga bus only', () => {
    const bus = idOf(choreography, 'ChoreographyBus');
    for (const fn of Object.keys(ENTRIES) as SagaFunction[]) {
      const put = statementsOf(choreography, fn).filter((s) => actions(s).includes('events:PutEvents'));
      expect(put.length, fn).toBeGreaterThan(0);
      for (const statement of put) expect(statement.Resource, fn).toEqual({ 'Fn::GetAtt': [bus, 'Arn'] });
    }
  });

  it('sends only compensation failures to the repair queue, and starts the next compensation too', () => {
    const repair = idOf(choreography, 'RepairQueue');
    const failureRules = ofType(choreography, 'AWS::Events::Rule').filter(([, rule]) => rule.Properties.EventPattern.source[0] === 'lambda');
    const byFailed = Object.fromEntries(
      failureRules.map(([, rule]) => {
        const failed = sagaFunctionOf(rule.Properties.EventPattern.resources[0]['Fn::Join'][1][0]['Fn::GetAtt'][0]);
        const targets = rule.Properties.Targets.map((t: { Arn: { 'Fn::GetAtt': [string, string] } }) => (t.Arn['Fn::GetAtt'][0] === repair ? 'repair queue' : functionOfTarget(t)));
        return [failed, targets];
      }),
    );
    expect(byFailed).toEqual({
      ReserveInventory: ['ReleaseInventory'],
      ChargePayment: ['RefundPayment'],
      ArrangeShipping: ['CancelShipment'],
      CancelShipment: ['RefundPayment', 'repair queue'],
      RefundPayment: ['ReleaseInventory', 'repair queue'],
      ReleaseInventory: ['repair queue'],
    });
  });
});

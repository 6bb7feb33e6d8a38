import { describe, expect, it } from 'vitest';

import { TemplateResolver, stackIdOf, type ResolverHooks } from '../../../src/dev/model/intrinsics.js';
import type { CfnTemplate } from '../../../src/dev/model/assembly.js';
import { isUnresolved } from '../../../src/dev/model/unresolved.js';
import { appOf, resource } from './helpers.js';

const hooks = (overrides: Partial<ResolverHooks> = {}): ResolverHooks => ({
  stackName: 'shop-local',
  resourceRef: (id) => (id === 'Table' ? 'shop-local-Table' : undefined),
  resourceAttribute: (id, attribute) =>
    id === 'Table' && attribute === 'Arn' ? 'arn:aws:dynamodb:us-east-1:000000000000:table/shop-local-Table' : id === 'Table' ? { unresolved: `no ${attribute}` } : undefined,
  importValue: (name) => (name === 'other:Export' ? 'exported-value' : undefined),
  ...overrides,
});

const template: CfnTemplate = {
  Parameters: {
    Stage: { Type: 'String', Default: 'dev' },
    Zones: { Type: 'CommaDelimitedList', Default: 'a, b,c' },
    Size: { Type: 'Number', Default: 3 },
    NoDefault: { Type: 'String' },
    BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' },
  },
  Mappings: { Sizes: { dev: { Memory: 128 }, prod: { Memory: 1024 } } },
  Conditions: {
    IsDev: { 'Fn::Equals': [{ Ref: 'Stage' }, 'dev'] },
    IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
    NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
    DevAndNotProd: { 'Fn::And': [{ Condition: 'IsDev' }, { Condition: 'NotProd' }] },
    ProdOrDev: { 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'IsDev' }] },
    InUsEast1: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
    NumberEqualsString: { 'Fn::Equals': [{ Ref: 'Size' }, 3] },
    Loop: { Condition: 'Loop' },
  },
  Resources: {},
};

const resolve = (value: unknown, h = hooks()) => new TemplateResolver(template, h).resolve(value);

describe('Ref', () => {
  it('gives pseudo parameters their local values', () => {
    expect(resolve({ Ref: 'AWS::AccountId' })).toBe('000000000000');
    expect(resolve({ Ref: 'AWS::Region' })).toBe('us-east-1');
    expect(resolve({ Ref: 'AWS::Partition' })).toBe('aws');
    expect(resolve({ Ref: 'AWS::URLSuffix' })).toBe('amazonaws.com');
    expect(resolve({ Ref: 'AWS::StackName' })).toBe('shop-local');
    expect(resolve({ Ref: 'AWS::NotificationARNs' })).toEqual([]);
  });

  it('gives AWS::StackId the CloudFormation stack ARN shape, stable per stack', () => {
    const id = resolve({ Ref: 'AWS::StackId' }) as string;
    expect(id).toMatch(/^arn:aws:cloudformation:us-east-1:000000000000:stack\/shop-local\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(id).toBe(stackIdOf('shop-local'));
    expect(stackIdOf('other')).not.toBe(id);
  });

  it('removes the key (or list item) of AWS::NoValue', () => {
    expect(resolve({ A: 1, B: { Ref: 'AWS::NoValue' } })).toEqual({ A: 1 });
    expect(resolve(['x', { Ref: 'AWS::NoValue' }, 'y'])).toEqual(['x', 'y']);
  });

  it('gives parameters their Default, lists split, numbers as strings, given values first', () => {
    expect(resolve({ Ref: 'Stage' })).toBe('dev');
    expect(resolve({ Ref: 'Zones' })).toEqual(['a', 'b', 'c']);
    expect(resolve({ Ref: 'Size' })).toBe('3');
    expect(resolve({ Ref: 'Stage' }, hooks({ parameters: { Stage: 'prod' } }))).toBe('prod');
  });

  it('marks a parameter without a value, and an SSM-typed parameter, as unresolved', () => {
    expect(resolve({ Ref: 'NoDefault' })).toEqual({ unresolved: expect.stringContaining('NoDefault') });
    const ssm = resolve({ Ref: 'BootstrapVersion' });
    expect(ssm).toEqual({ unresolved: expect.stringContaining('/cdk-bootstrap/hnb659fds/version') });
  });

  it('asks for resources and marks unknown logical ids', () => {
    expect(resolve({ Ref: 'Table' })).toBe('shop-local-Table');
    expect(resolve({ Ref: 'Nope' })).toEqual({ unresolved: expect.stringContaining('Nope') });
  });
});

describe('Fn::GetAtt', () => {
  it('accepts the list and the dotted string forms', () => {
    const arn = 'arn:aws:dynamodb:us-east-1:000000000000:table/shop-local-Table';
    expect(resolve({ 'Fn::GetAtt': ['Table', 'Arn'] })).toBe(arn);
    expect(resolve({ 'Fn::GetAtt': 'Table.Arn' })).toBe(arn);
  });

  it('resolves an attribute name given by Ref', () => {
    expect(resolve({ 'Fn::GetAtt': ['Table', { Ref: 'AttributeName' }] }, hooks())).toEqual({ unresolved: expect.any(String) });
    const withParameter = new TemplateResolver({ Parameters: { Attribute: { Type: 'String', Default: 'Arn' } } }, hooks());
    expect(withParameter.resolve({ 'Fn::GetAtt': ['Table', { Ref: 'Attribute' }] })).toMatch(/:table\/shop-local-Table$/);
  });

  it('passes the resource\'s unresolved reason through', () => {
    expect(resolve({ 'Fn::GetAtt': ['Table', 'StreamArn'] })).toEqual({ unresolved: 'no StreamArn' });
  });
});

describe('Fn::Join / Fn::Select / Fn::Split', () => {
  it('joins resolved parts, numbers included', () => {
    expect(resolve({ 'Fn::Join': ['', ['https://', { Ref: 'Table' }, '.', { Ref: 'AWS::URLSuffix' }, ':', 443]] })).toBe('https://shop-local-Table.amazonaws.com:443');
    expect(resolve({ 'Fn::Join': [',', { Ref: 'Zones' }] })).toBe('a,b,c');
  });

  it('is unresolved when any part is', () => {
    expect(resolve({ 'Fn::Join': ['-', ['a', { Ref: 'Nope' }]] })).toEqual({ unresolved: expect.stringContaining('Nope') });
  });

  it('selects from a split string (the CDK idiom for a state machine name and the stack id suffix)', () => {
    const stateMachineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:word-count';
    const machine = new TemplateResolver({ Resources: {} }, hooks({ resourceRef: () => stateMachineArn }));
    expect(machine.resolve({ 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: 'WordCount' }] }] })).toBe('word-count');
    const suffix = resolve({ 'Fn::Select': [0, { 'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }] }] });
    expect(suffix).toMatch(/^[0-9a-f]{8}$/);
    expect(resolve({ 'Fn::Select': ['1', ['x', 'y']] })).toBe('y');
  });

  it('marks an index out of range', () => {
    expect(resolve({ 'Fn::Select': [5, ['x']] })).toEqual({ unresolved: expect.stringContaining('index 5') });
  });
});

describe('Fn::Sub', () => {
  it('substitutes pseudo parameters, Refs, attributes and variables, and keeps ${!Literal}', () => {
    expect(resolve({ 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' })).toBe('cdk-hnb659fds-assets-000000000000-us-east-1');
    expect(resolve({ 'Fn::Sub': '${Table}|${Table.Arn}|${!Literal}|${Stage}' })).toBe(
      'shop-local-Table|arn:aws:dynamodb:us-east-1:000000000000:table/shop-local-Table|${Literal}|dev',
    );
    expect(resolve({ 'Fn::Sub': ['${Name}-${AWS::Region}', { Name: { 'Fn::Join': ['', ['a', 'b']] } }] })).toBe('ab-us-east-1');
  });

  it('is unresolved when a variable is', () => {
    expect(resolve({ 'Fn::Sub': 'x-${Nope}' })).toEqual({ unresolved: expect.stringContaining('Nope') });
  });
});

describe('conditions and Fn::If', () => {
  it('evaluates Fn::Equals / Not / And / Or / Condition', () => {
    const resolver = new TemplateResolver(template, hooks());
    expect(resolver.condition('IsDev')).toBe(true);
    expect(resolver.condition('IsProd')).toBe(false);
    expect(resolver.condition('NotProd')).toBe(true);
    expect(resolver.condition('DevAndNotProd')).toBe(true);
    expect(resolver.condition('ProdOrDev')).toBe(true);
    expect(resolver.condition('InUsEast1')).toBe(true);
    expect(resolver.condition('NumberEqualsString')).toBe(true);
    expect(new TemplateResolver(template, hooks({ parameters: { Stage: 'prod' } })).condition('DevAndNotProd')).toBe(false);
  });

  it('marks unknown and self-referencing conditions instead of looping', () => {
    const resolver = new TemplateResolver(template, hooks());
    expect(isUnresolved(resolver.condition('Missing'))).toBe(true);
    expect(isUnresolved(resolver.condition('Loop'))).toBe(true);
  });

  it('picks the Fn::If branch, and AWS::NoValue in a branch removes the key', () => {
    expect(resolve({ 'Fn::If': ['IsDev', 'small', 'large'] })).toBe('small');
    expect(resolve({ 'Fn::If': ['IsProd', 'small', 'large'] })).toBe('large');
    expect(resolve({ Keep: 1, Drop: { 'Fn::If': ['IsDev', { Ref: 'AWS::NoValue' }, 2] } })).toEqual({ Keep: 1 });
  });
});

describe('other functions', () => {
  it('Fn::GetAZs gives the region\'s zones', () => {
    expect(resolve({ 'Fn::GetAZs': '' })).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1e', 'us-east-1f']);
    expect(resolve({ 'Fn::Select': [1, { 'Fn::GetAZs': { Ref: 'AWS::Region' } }] })).toBe('us-east-1b');
  });

  it('Fn::Base64 encodes UTF-8', () => {
    expect(resolve({ 'Fn::Base64': { 'Fn::Sub': '#!/bin/bash\necho ${AWS::Region} é' } })).toBe(Buffer.from('#!/bin/bash\necho us-east-1 é').toString('base64'));
  });

  it('Fn::FindInMap looks up Mappings, with DefaultValue as fallback', () => {
    expect(resolve({ 'Fn::FindInMap': ['Sizes', { Ref: 'Stage' }, 'Memory'] })).toBe(128);
    expect(resolve({ 'Fn::FindInMap': ['Sizes', 'test', 'Memory', { DefaultValue: 256 }] })).toBe(256);
    expect(resolve({ 'Fn::FindInMap': ['Sizes', 'test', 'Memory'] })).toEqual({ unresolved: expect.stringContaining('Sizes.test.Memory') });
  });

  it('Fn::ImportValue reads other stacks\' exports', () => {
    expect(resolve({ 'Fn::ImportValue': 'other:Export' })).toBe('exported-value');
    expect(resolve({ 'Fn::ImportValue': 'missing' })).toEqual({ unresolved: expect.stringContaining('missing') });
  });

  it('Fn::ToJsonString and Fn::Length (language extensions)', () => {
    expect(resolve({ 'Fn::ToJsonString': { table: { Ref: 'Table' } } })).toBe('{"table":"shop-local-Table"}');
    expect(resolve({ 'Fn::Length': { Ref: 'Zones' } })).toBe(3);
  });

  it('marks functions it does not evaluate, keeping the rest of the value', () => {
    expect(resolve({ Ok: 'yes', Cidr: { 'Fn::Cidr': ['10.0.0.0/16', 4, 8] } })).toEqual({ Ok: 'yes', Cidr: { unresolved: expect.stringContaining('Fn::Cidr') } });
  });

  it('leaves multi-key objects (IAM conditions) alone', () => {
    const statement = { Effect: 'Allow', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } };
    expect(resolve(statement)).toEqual({ Effect: 'Allow', Condition: { StringEquals: { 'aws:SourceAccount': '000000000000' } } });
  });
});

describe('resolution inside an app', () => {
  it('drops resources and outputs whose condition is false, and marks references to them', () => {
    const app = appOf({
      s: {
        Parameters: { Stage: { Type: 'String', Default: 'dev' } },
        Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
        Resources: {
          Alarm: { Type: 'AWS::SNS::Topic', Condition: 'IsProd' },
          Fn: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { TOPIC: { Ref: 'Alarm' } } } } },
        },
        Outputs: { TopicArn: { Condition: 'IsProd', Value: { Ref: 'Alarm' } }, FnName: { Value: { Ref: 'Fn' } } },
      },
    });
    expect(app.ofType('AWS::SNS::Topic')).toEqual([]);
    expect(resource(app, 'Fn').properties.Environment.Variables.TOPIC).toEqual({ unresolved: expect.stringContaining('condition IsProd is false') });
    expect(app.outputs.map((output) => output.key)).toEqual(['FnName']);
  });

  it('keeps a resource whose explicit name is computed from the stack name', () => {
    const app = appOf({
      'orders-prod': {
        Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'jobs']] } } } },
      },
    });
    expect(resource(app, 'Queue').attributes.QueueName).toBe('orders-prod-jobs');
  });

  it('falls back to the generated name when a name property refers to the resource itself', () => {
    const app = appOf({ s: { Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { 'Fn::GetAtt': ['Topic', 'TopicName'] } } } } } });
    expect(resource(app, 'Topic').attributes.TopicName).toBe('s-Topic');
  });
});

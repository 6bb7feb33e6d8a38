import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createStateMachines } from '../../../src/dev/step-functions/state-machines.js';
import type { Queues } from '../../../src/dev/types.js';
import { fakeApp, fakeInvoker } from '../helpers/fakes.js';

const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:ddb';

describe('dynamodb:* integrations against dynalite', () => {
  let server: Server;
  let endpoint: string;
  beforeAll(async () => {
    const { default: dynalite } = await import('dynalite');
    server = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { DynamoDBClient, CreateTableCommand } = await import('@aws-sdk/client-dynamodb');
    const client = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    await client.send(new CreateTableCommand({ TableName: 'Orders', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
    client.destroy();
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('putItem, a conditional put that fails with DynamoDB.ConditionalCheckFailedException (caught), then getItem', async () => {
    const definition = {
      StartAt: 'Put',
      States: {
        Put: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: { TableName: 'Orders', Item: { pk: { 'S.$': '$.id' }, total: { N: '5' } } }, ResultPath: null, Next: 'PutAgain' },
        PutAgain: {
          Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem',
          Parameters: { TableName: 'Orders', Item: { pk: { 'S.$': '$.id' } }, ConditionExpression: 'attribute_not_exists(pk)' },
          Catch: [{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], ResultPath: '$.duplicate', Next: 'Get' }], Next: 'Get',
        },
        Get: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:getItem', Parameters: { TableName: 'Orders', Key: { pk: { 'S.$': '$.id' } } }, ResultSelector: { 'item.$': '$.Item' }, ResultPath: '$.got', End: true },
      },
    };
    const app = fakeApp([{ type: 'AWS::StepFunctions::StateMachine', logicalId: 'M', ref: ARN, properties: { Definition: definition } }]);
    const machines = createStateMachines({ app, invoker: fakeInvoker({}).invoker, deliver: async () => undefined, queues: {} as Queues, endpoints: { dynamodb: endpoint }, log: () => undefined, timing: { scale: 0.001 } });
    try {
      const done = await machines.startSync(ARN, JSON.stringify({ id: 'o-1' }));
      expect(done.status).toBe('SUCCEEDED');
      const output = JSON.parse(done.output!);
      expect(output.duplicate.Error).toBe('DynamoDB.ConditionalCheckFailedException');
      expect(output.got.item).toEqual({ pk: { S: 'o-1' }, total: { N: '5' } });
    } finally {
      await machines.close();
    }
  });
});

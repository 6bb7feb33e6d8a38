import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type DevProcess, project, startDev } from './dev-process.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
/** The README's order, shipped to `country` (AQ: no carrier, so shipping refuses it). */
const order = (orderId: string, country: string) => ({
  orderId,
  customerId: 'customer-42',
  items: [{ sku: 'LAMP-1', quantity: 2 }, { sku: 'BOOK-7', quantity: 1 }],
  amount: 12900,
  currency: 'EUR',
  paymentToken: 'tok_visa',
  shipTo: { name: 'Ada Lovelace', line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country },
});

const STEPS = ['ReserveInventory', 'ChargePayment', 'ArrangeShipping', 'CancelShipment', 'RefundPayment', 'ReleaseInventory'];

// The orchestrated saga: the synthesized state machine runs in aws-local-stepfunctions, each Lambda
// task served by the project's real handler, started through the Step Functions API as the README does.
describe('sprout dev: saga', { timeout: 300_000 }, () => {
  let app: Awaited<ReturnType<typeof project>>;
  let dev: DevProcess;
  let outputs: Record<string, string>;
  let dynamodb: DynamoDBClient;
  let sfn: SFNClient;

  beforeAll(async () => {
    app = await project('saga');
    dev = await startDev(app.dir);
    outputs = Object.values(dev.ready.outputs as Record<string, Record<string, string>>)[0]!;
    const endpoints = dev.ready.endpoints as { dynamodb: string; aws: string };
    dynamodb = new DynamoDBClient({ region: 'us-east-1', endpoint: endpoints.dynamodb, credentials });
    sfn = new SFNClient({ region: 'us-east-1', endpoint: endpoints.aws, credentials });
    for (const [sku, available] of [['LAMP-1', '10'], ['BOOK-7', '5']] as const) {
      await dynamodb.send(new PutItemCommand({ TableName: outputs.InventoryTableName, Item: { pk: { S: `sku#${sku}` }, available: { N: available } } }));
    }
  }, 300_000);

  afterAll(async () => {
    dynamodb?.destroy();
    sfn?.destroy();
    await dev?.stop();
    await app?.remove();
  });


  async function run(orderId: string, country: string) {
    const from = dev.logs.length;
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: outputs.StateMachineArn, name: orderId, input: JSON.stringify(order(orderId, country)) }));
    const deadline = Date.now() + 60_000;
    for (;;) {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (execution.status !== 'RUNNING') {
        const steps = dev.logs
          .slice(from)
          .filter((line) => line.kind === 'invoke')
          .map((line) => STEPS.find((step) => line.source.includes(step)))
          .filter(Boolean);
        return { execution, steps };
      }
      if (Date.now() > deadline) throw new Error(`${orderId} still RUNNING after 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  const available = async (sku: string) => (await dynamodb.send(new GetItemCommand({ TableName: outputs.InventoryTableName, Key: { pk: { S: `sku#${sku}` } } }))).Item?.available?.N;

  it('runs the happy path to SUCCEEDED and keeps the stock held', async () => {
    const { execution, steps } = await run('order-1001', 'DE');
    expect(execution.status).toBe('SUCCEEDED');
    expect(steps).toEqual(['ReserveInventory', 'ChargePayment', 'ArrangeShipping']);
    expect(await available('LAMP-1')).toBe('8');
  });

  it('compensates a refused shipping step in reverse order: refund, then release', async () => {
    const { execution, steps } = await run('order-1002', 'AQ');
    expect(execution.status).toBe('FAILED');
    expect(steps).toEqual(['ReserveInventory', 'ChargePayment', 'ArrangeShipping', 'RefundPayment', 'ReleaseInventory']);
    // Order 1001 still holds its two lamps; 1002's were given back.
    expect(await available('LAMP-1')).toBe('8');
  });

  it('refuses a second execution with the same name, as Step Functions does', async () => {
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: outputs.StateMachineArn, name: 'order-1002', input: JSON.stringify(order('order-1002', 'DE')) }))).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });
});

// The choreography option: the same services drive the saga themselves through EventBridge rules
// on the saga's bus, each rule's target invoking the next service's real handler.
describe('sprout dev: saga by choreography', { timeout: 300_000 }, () => {
  let app: Awaited<ReturnType<typeof project>>;
  let dev: DevProcess;
  let outputs: Record<string, string>;
  let events: EventBridgeClient;

  beforeAll(async () => {
    app = await project('saga', ['coordination=choreography']);
    dev = await startDev(app.dir);
    outputs = Object.values(dev.ready.outputs as Record<string, Record<string, string>>)[0]!;
    const endpoints = dev.ready.endpoints as { dynamodb: string; aws: string };
    events = new EventBridgeClient({ region: 'us-east-1', endpoint: endpoints.aws, credentials });
    const dynamodb = new DynamoDBClient({ region: 'us-east-1', endpoint: endpoints.dynamodb, credentials });
    for (const [sku, available] of [['LAMP-1', '10'], ['BOOK-7', '5']] as const) {
      await dynamodb.send(new PutItemCommand({ TableName: outputs.InventoryTableName, Item: { pk: { S: `sku#${sku}` }, available: { N: available } } }));
    }
    dynamodb.destroy();
  }, 300_000);

  afterAll(async () => {
    events?.destroy();
    await dev?.stop();
    await app?.remove();
  });

  it('compensates a refused shipping step in reverse order, event by event', async () => {
    const from = dev.logs.length;
    const put = await events.send(new PutEventsCommand({ Entries: [{ EventBusName: outputs.EventBusName, Source: 'saga.orders', DetailType: 'OrderPlaced', Detail: JSON.stringify(order('order-2001', 'AQ')) }] }));
    expect(put.FailedEntryCount).toBe(0);
    await dev.waitForLog((line) => dev.logs.indexOf(line) >= from && line.kind === 'invoke' && line.source.includes('ReleaseInventory'), 60_000);
    const steps = dev.logs
      .slice(from)
      .filter((line) => line.kind === 'invoke')
      .map((line) => STEPS.find((step) => line.source.includes(step)))
      .filter(Boolean);
    expect(steps).toEqual(['ReserveInventory', 'ChargePayment', 'ArrangeShipping', 'RefundPayment', 'ReleaseInventory']);
  });
});

import { readFileSync } from 'node:fs';
import { OpenFeature } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDGE_FUNCTION_FILES } from '../infra/stacks/proxied-frontend-stack.js';
import { callerContext, VIEWER_IP_HEADER } from '../src/lib/flag-client.js';
import { initialFlags, STRICT_ITEM_NAMES } from '../src/lib/flags.js';
import type { HttpHandler } from '../src/lib/handler.js';
import { encodeEnv } from '../src/sprout/flags/codec.js';
import type { Flag, FlagDocument } from '../src/sprout/flags/model.js';
import { apiEvent, lambdaContext, parse } from './helpers/api-event.js';
import { isResponse, loadCloudFrontFunction, viewerRequest } from './helpers/cloudfront-function.js';
import { createTables, type LocalDynamoDb, startDynalite, useEmulatorEnvironment } from './helpers/dynalite.js';

// Behind CloudFront, API Gateway's source IP is a CloudFront edge server's address, shared by many
// viewers and different from one connection to the next. The API router passes the viewer's own
// address on, and the flags target it: a viewer keeps its variant of the sample flag.

const apiRouter = loadCloudFrontFunction(readFileSync(EDGE_FUNCTION_FILES.apiRouter, 'utf8'), 'api-router.js');
/** An address of a CloudFront edge server, as API Gateway sees the request arrive from it. */
const EDGE_IP = '192.0.2.200';

/** What API Gateway hands the function for a browser request that went through the distribution. */
function throughCloudFront(method: string, uri: string, viewerIp: string, body?: unknown) {
  const routed = apiRouter(viewerRequest(uri, { method, viewerIp, headers: { 'content-type': 'application/json' } }));
  if (isResponse(routed)) throw new Error('the API router answered instead of forwarding');
  const headers = Object.fromEntries(Object.entries(routed.headers).map(([name, { value }]) => [name, value]));
  return apiEvent(method, routed.uri, { headers, sourceIp: EDGE_IP, ...(body === undefined ? {} : { body }) });
}

describe('the targeting key', () => {
  it("is the viewer's address the API router passed on, not the edge server's", () => {
    const event = throughCloudFront('GET', '/api/items', '203.0.113.9');
    expect(event.headers[VIEWER_IP_HEADER]).toBe('203.0.113.9');
    expect(callerContext(event, 'listItems')).toEqual({ targetingKey: '203.0.113.9', operation: 'listItems' });
  });

  it('is the source IP for a call straight to the API (no header)', () => {
    expect(callerContext(apiEvent('GET', '/items', { sourceIp: '198.51.100.4' }), 'listItems').targetingKey).toBe('198.51.100.4');
    expect(callerContext(apiEvent('GET', '/items', { sourceIp: '198.51.100.4', headers: { 'X-Viewer-Ip': ' ' } }), 'listItems').targetingKey).toBe('198.51.100.4');
  });
});

describe('strict-item-names for viewers behind the same edge server', () => {
  const tables = { items: 'viewer-ip-items', idempotency: 'viewer-ip-idempotency' };
  const sampleFlag = initialFlags.flags[STRICT_ITEM_NAMES] as Flag;
  let db: LocalDynamoDb;
  let create: HttpHandler;

  beforeAll(async () => {
    db = await startDynalite();
    // `sprout flags set strict-item-names --target 203.0.113.9=on`: one tester gets the strict rules.
    const targeted: FlagDocument = { version: 1, flags: { [STRICT_ITEM_NAMES]: { ...sampleFlag, enabled: true, targets: { on: ['203.0.113.9'] } } } };
    useEmulatorEnvironment(db.endpoint, { TABLE_NAME: tables.items, IDEMPOTENCY_TABLE_NAME: tables.idempotency, SPROUT_FLAGS: encodeEnv(targeted) });
    await createTables(db.client, tables);
    create = (await import('../src/functions/create-item.js')).handler;
  });
  afterAll(async () => {
    await OpenFeature.clearProviders();
    await db?.stop();
  });

  it('gives the targeted viewer the strict rules and the viewer next to it the usual ones', async () => {
    const tester = parse(await create(throughCloudFront('POST', '/api/items', '203.0.113.9', { name: 'Desk lamp ' }), lambdaContext()));
    expect(tester.statusCode).toBe(400);
    expect(tester.body.error.message).toMatch(/must not start or end with spaces/);
    const other = parse(await create(throughCloudFront('POST', '/api/items', '203.0.113.10', { name: 'Desk lamp ' }), lambdaContext()));
    expect(other.statusCode).toBe(201);
  });
});

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HttpHandler } from '../src/lib/handler.js';
import type { Source } from '../src/lib/sources.js';
import { apiEvent, lambdaContext, parse } from './helpers/api-event.js';
import { useTestEnvironment } from './helpers/environment.js';
import { type FakeService, startService } from './helpers/servers.js';

// X-Ray needs Lambda; here the active segment is a recording fake, so what the aggregator does with
// it is visible: one subsegment per call, all children of the handler's segment even though the
// calls overlap, each closed by its own call with its own status, and the trace header sent along.

interface FakeSubsegment {
  name: string;
  id: string;
  attributes: Record<string, unknown>;
  annotations: Record<string, unknown>;
  flags: string[];
  closed: boolean;
  http?: { request: { url: string }; response?: { status: number } };
}

const subsegments: FakeSubsegment[] = [];
const fakeSegment = {
  addNewSubsegment(name: string) {
    const subsegment: FakeSubsegment & Record<string, unknown> = {
      name,
      id: `sub${subsegments.length + 1}`,
      attributes: {},
      annotations: {},
      flags: [],
      closed: false,
      addAttribute(key: string, value: unknown) {
        subsegment.attributes[key] = value;
      },
      addAnnotation(key: string, value: unknown) {
        subsegment.annotations[key] = value;
      },
      addErrorFlag: () => subsegment.flags.push('error'),
      addFaultFlag: () => subsegment.flags.push('fault'),
      close() {
        subsegment.closed = true;
      },
      // The handler wrapper's own "## aggregate" subsegment; the calls hang below the handler's segment it returns.
      addNewSubsegment: (child: string) => fakeSegment.addNewSubsegment(child),
    };
    if (name !== '## aggregate') subsegments.push(subsegment);
    return subsegment;
  },
};

const services: FakeService[] = [];
let handler: HttpHandler;

beforeAll(async () => {
  useTestEnvironment();
  const { tracer } = await import('../src/lib/powertools.js');
  vi.spyOn(tracer, 'isTracingEnabled').mockReturnValue(true);
  vi.spyOn(tracer, 'getSegment').mockReturnValue(fakeSegment as never);
  vi.spyOn(tracer, 'setSegment').mockImplementation(() => undefined);
  vi.spyOn(tracer, 'isTraceSampled').mockReturnValue(true);
  vi.spyOn(tracer, 'getRootXrayTraceId').mockReturnValue('1-5759e988-bd862e3fe1be46a994272793');
  vi.spyOn(tracer, 'annotateColdStart').mockImplementation(() => undefined);
  vi.spyOn(tracer, 'addServiceNameAnnotation').mockImplementation(() => undefined);
  services.push(
    await startService('profile', { delayMs: 200 }),
    await startService('orders', { delayMs: 100, status: 503 }),
    await startService('ads', { delayMs: 1_000 }),
  );
  const [profile, orders, ads] = services as [FakeService, FakeService, FakeService];
  const sources: Source[] = [
    { name: 'profile', url: `${profile.origin}/customers/{customerId}?expand=all`, timeoutMs: 1_000, required: true },
    { name: 'orders', url: `${orders.origin}/orders`, timeoutMs: 1_000, required: false },
    { name: 'ads', url: `${ads.origin}/ads`, timeoutMs: 300, required: false },
  ];
  const { aggregateHandler } = await import('../src/lib/aggregator.js');
  handler = aggregateHandler({ sources });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await Promise.all(services.map((service) => service.close()));
});

describe('X-Ray', () => {
  it('records one subsegment per source, each closed by its own call with its own outcome', async () => {
    const { statusCode } = parse(await handler(apiEvent('/aggregate', { query: { customerId: 'c-42' } }), lambdaContext()));
    expect(statusCode).toBe(200);
    const [profile, orders, ads] = services as [FakeService, FakeService, FakeService];
    expect(subsegments.map(({ name, attributes, annotations, flags, closed, http }) => ({ name, attributes, annotations, flags, closed, http }))).toEqual([
      {
        name: 'profile',
        attributes: { namespace: 'remote' },
        annotations: { source: 'profile', status: 'ok' },
        flags: [],
        closed: true,
        // No query string in the trace: it can carry customer ids.
        http: { request: { url: `${profile.origin}/customers/c-42`, method: 'GET' }, response: { status: 200 } },
      },
      {
        name: 'orders',
        attributes: { namespace: 'remote' },
        annotations: { source: 'orders', status: 'error' },
        flags: ['fault'],
        closed: true,
        http: { request: { url: `${orders.origin}/orders`, method: 'GET' }, response: { status: 503 } },
      },
      {
        name: 'ads',
        attributes: { namespace: 'remote' },
        annotations: { source: 'ads', status: 'timeout' },
        flags: ['fault'],
        closed: true,
        http: { request: { url: `${ads.origin}/ads`, method: 'GET' } },
      },
    ]);
  });

  it('sends each service the trace header naming its own subsegment as the parent', () => {
    services.forEach((service, index) => {
      expect(service.hits[0]?.headers['x-amzn-trace-id']).toBe(`Root=1-5759e988-bd862e3fe1be46a994272793;Parent=${subsegments[index]?.id};Sampled=1`);
    });
  });
});

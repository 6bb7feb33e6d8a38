import type { InvokeResult, Invoker, ResolvedApp, ResolvedResource } from '../../../src/dev/types.js';

/** A ResolvedApp over the given resources (only what the code under test reads). */
export function fakeApp(resources: Array<Partial<ResolvedResource> & { type: string; logicalId: string }>): ResolvedApp {
  const all: ResolvedResource[] = resources.map((r) => ({ stack: 'test', metadata: {}, properties: {}, ref: r.logicalId, attributes: {}, ...r }));
  return {
    assemblyDir: '/nonexistent',
    stacks: ['test'],
    resources: all,
    outputs: [],
    ofType: (type) => all.filter((r) => r.type === type),
    find: (refOrArn) => all.find((r) => r.ref === refOrArn || r.attributes.Arn === refOrArn),
    assetDir: () => undefined,
  };
}

export type FakeHandler = (event: any) => unknown | Promise<unknown>;

/** An Invoker over in-test handlers: a handler that throws becomes a Lambda function error (errorType = the error's name). */
export function fakeInvoker(handlers: Record<string, FakeHandler>) {
  const calls: Array<{ name: string; event: any }> = [];
  const asyncCalls: Array<{ name: string; event: any }> = [];
  const nameOf = (target: string) => target.split(':').pop()!;
  const invoker: Invoker = {
    has: (target) => nameOf(target) in handlers,
    async invoke(target, event): Promise<InvokeResult> {
      const name = nameOf(target);
      const handler = handlers[name];
      if (!handler) throw new Error(`no function ${target}`);
      calls.push({ name, event: structuredClone(event) });
      try {
        return { ok: true, payload: await handler(event) };
      } catch (error) {
        const e = error as Error;
        return { ok: false, error: { errorType: e.name, errorMessage: e.message, stackTrace: [] } };
      }
    },
    invokeAsync(target, event) {
      asyncCalls.push({ name: nameOf(target), event });
    },
  };
  return { invoker, calls, asyncCalls };
}

/** An Error whose name is `name` (what a handler's errorType is). */
export function namedError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

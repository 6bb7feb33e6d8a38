import 'aws-sdk-client-mock-vitest/extend';

// aws-local-stepfunctions 3 calls Promise.withResolvers (Node 22+) in every Task state; on Node 20
// the missing function escapes as an unhandled rejection. The standard's behaviour, for older Nodes.
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(this: PromiseConstructor) {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

// aws-local-stepfunctions 3 runs every Task state through Promise.withResolvers(), which Node.js
// ships from version 22. On Node.js 20 the call throws inside the library, the rejection escapes as
// an unhandled error and vitest stops. This is the standard polyfill (ES2024 semantics); on
// Node.js 22+ it does nothing.
declare global {
  interface PromiseConstructor {
    withResolvers<T>(): { promise: Promise<T>; resolve: (value: T | PromiseLike<T>) => void; reject: (reason?: unknown) => void };
  }
}

if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

export {};

/**
 * An object whose implementation is supplied later: the local services refer to each other in a
 * circle (a queue's consumer is a function whose destination is a queue ...), so each is handed
 * the others' stand-ins and the stand-ins are bound once everything exists.
 */
export function lateBound<T extends object>(what: string): { proxy: T; bind(target: T): void } {
  let bound: T | undefined;
  const proxy = new Proxy({} as T, {
    get(_target, property) {
      if (!bound) throw new Error(`${what} used before sprout dev finished starting`);
      const value = (bound as Record<PropertyKey, unknown>)[property];
      return typeof value === 'function' ? value.bind(bound) : value;
    },
  });
  return {
    proxy,
    bind(target) {
      bound = target;
    },
  };
}

/** The circuit state table's key schema, shared by the stack, the breaker and the tests: one item per circuit name. */
export const circuitTable = { partitionKey: 'circuit' } as const;

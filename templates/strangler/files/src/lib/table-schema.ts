/** The orders table's key schema, shared by the stack, the handler and the tests. */
export const ordersTable = { partitionKey: 'id' } as const;

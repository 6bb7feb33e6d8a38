/**
 * The demo downstream services behind GET /demo/{name} (option demoSources), so the project answers
 * out of the box before sprout.json's `sources` point at real services. Each answers after
 * `delayMs` milliseconds with `status`, both from its query string, which is how the sample sources
 * in sprout.json give each one a different speed and let you try failures without code.
 */

/** The longest delay a demo source accepts: it is a public endpoint, and Lambda bills the wait. */
export const MAX_DEMO_DELAY_MS = 5_000;

const samples: Record<string, (id: string) => unknown> = {
  profile: (id) => ({ customerId: id, name: 'Ada Lovelace', tier: 'gold', memberSince: '2019-04-01' }),
  orders: (id) => ({
    customerId: id,
    orders: [
      { id: 'o-1001', total: 42.5, currency: 'EUR', status: 'shipped' },
      { id: 'o-1002', total: 12.0, currency: 'EUR', status: 'processing' },
    ],
  }),
  recommendations: (id) => ({ customerId: id, items: [{ sku: 'lamp-01', score: 0.92 }, { sku: 'desk-07', score: 0.81 }] }),
  loyalty: (id) => ({ customerId: id, points: 1280, nextReward: 1500 }),
};

/** What the demo source `name` answers for customer `id`; any other name echoes itself. */
export function demoAnswer(name: string, id: string): unknown {
  return samples[name]?.(id) ?? { source: name, customerId: id };
}

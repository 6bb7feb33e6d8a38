/**
 * Generated producer events: deterministic (a seeded generator), spread over several days, with
 * every shape the ingestion function accepts: ISO times in several zones and with and without
 * fractions, epoch milliseconds, missing and null optional fields, attributes of each scalar type.
 */

/** mulberry32: a tiny seeded PRNG, so a failing run can be repeated exactly. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ProducerEvent {
  id: string;
  type: string;
  time: string | number;
  userId?: string | null;
  value?: number | null;
  attributes?: Record<string, string | number | boolean>;
}

const ZONES = ['Z', '+00:00', '+01:00', '-05:00', '+05:30', '+14:00', '-11:00'];
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** An instant written in `zone` (±hh:mm or Z), with `fractionDigits` digits after the seconds. */
export function isoIn(instant: number, zone: string, fractionDigits: number): string {
  const offsetMinutes = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const local = new Date(instant + offsetMinutes * 60_000);
  const fraction = fractionDigits === 0 ? '' : `.${pad(local.getUTCMilliseconds(), 3)}${'7'.repeat(Math.max(fractionDigits - 3, 0))}`.slice(0, fractionDigits + 1);
  return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${fraction}${zone}`;
}

/**
 * `count` events whose times fall within `days` UTC days ending at `now` (never after it), ids
 * unique within the call (prefixed with `prefix`).
 */
export function generateEvents(count: number, { now, days, seed, prefix = 'evt' }: { now: Date; days: number; seed: number; prefix?: string }): ProducerEvent[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const startOfFirstDay = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1));
  const span = now.getTime() - startOfFirstDay;
  return Array.from({ length: count }, (_, i) => {
    const instant = startOfFirstDay + Math.floor(next() * span);
    const type = pick(['page_view', 'page_view', 'page_view', 'purchase', 'signup'] as const);
    const event: ProducerEvent = {
      id: `${prefix}-${seed}-${i}`,
      type,
      time: next() < 0.2 ? instant : isoIn(instant, pick(ZONES), pick([0, 3, 3, 6, 9])),
    };
    const user = next();
    if (user < 0.7) event.userId = `user-${Math.floor(next() * 50)}`;
    else if (user < 0.8) event.userId = null;
    if (type === 'purchase') event.value = Math.round(next() * 50_000) / 100;
    if (type === 'page_view') event.attributes = { page: pick(['/', '/pricing', '/docs', '/blog/lakes']), scrolled: next() < 0.5, depth: Math.floor(next() * 100) };
    if (type === 'signup' && next() < 0.5) event.attributes = { plan: pick(['free', 'team']) };
    return event;
  });
}

/** What the lake should hold for an event, computed here without the project's code. */
export interface ExpectedRow {
  event_id: string;
  event_type: string;
  event_time: Date;
  user_id: string | null;
  value: number | null;
  attributes: Record<string, string> | null;
}

export function expectedRow(event: ProducerEvent): ExpectedRow {
  let time: number;
  if (typeof event.time === 'number') time = event.time;
  else {
    // Keep the milliseconds, drop the rest: 10:00:00.123456+01:00 → 09:00:00.123Z.
    const match = /^(.*?:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(event.time)!;
    time = Date.parse(`${match[1]}${(match[2] ?? '').slice(0, 4)}${match[3]}`);
  }
  const attributes = event.attributes && Object.keys(event.attributes).length > 0 ? Object.fromEntries(Object.entries(event.attributes).map(([k, v]) => [k, String(v)])) : null;
  return { event_id: event.id, event_type: event.type, event_time: new Date(time), user_id: event.userId ?? null, value: event.value ?? null, attributes };
}

/** The UTC date of an instant, as the partition folders spell it. */
export const utcDate = (time: Date) => time.toISOString().slice(0, 10);

/**
 * The sample Athena queries: saved in the workgroup as named queries (infra/constructs/catalog.ts)
 * and shown, word for word, in the README (test/readme.test.ts keeps the two the same). They name
 * the tables without a database: each named query carries its database, and so does
 * `aws athena start-query-execution --query-execution-context Database=…`.
 *
 * Every query filters on `dt`, the partition column: with partition projection Athena then lists
 * only those days' folders, and scans (and bills) only their files.
 */
export interface SampleQuery {
  name: string;
  description: string;
  sql: string;
}

export const SAMPLE_QUERIES: SampleQuery[] = [
  {
    name: 'events-per-type-per-day',
    description: 'Events per type and day over the last 7 days (UTC), from the curated zone',
    sql: `SELECT dt, event_type, count(*) AS events, count(DISTINCT user_id) AS users
FROM curated_events
WHERE dt >= CAST(current_date - INTERVAL '6' DAY AS varchar)
GROUP BY dt, event_type
ORDER BY dt DESC, events DESC;`,
  },
  {
    name: 'deduplicated-events',
    description: 'One row per event id for one day: a producer that sent an event twice in different batches stored it twice',
    sql: `SELECT *
FROM (
  SELECT *, row_number() OVER (PARTITION BY event_id ORDER BY received_at DESC) AS copy_rank
  FROM curated_events
  WHERE dt = CAST(current_date AS varchar)
)
WHERE copy_rank = 1;`,
  },
  {
    name: 'top-pages',
    description: 'Most viewed pages yesterday, from the page attribute of page_view events (element_at: NULL when a map lacks the key, where [] would fail the query)',
    sql: `SELECT element_at(attributes, 'page') AS page, count(*) AS views
FROM curated_events
WHERE dt = CAST(current_date - INTERVAL '1' DAY AS varchar)
  AND event_type = 'page_view'
GROUP BY element_at(attributes, 'page')
ORDER BY views DESC
LIMIT 20;`,
  },
  {
    name: 'revenue-per-day',
    description: 'Sum of value for purchase events per day this month',
    sql: `SELECT dt, count(*) AS purchases, round(sum(value), 2) AS revenue
FROM curated_events
WHERE dt >= CAST(date_trunc('month', current_date) AS varchar)
  AND event_type = 'purchase'
GROUP BY dt
ORDER BY dt;`,
  },
  {
    name: 'raw-vs-curated',
    description: 'Rows per day in the raw and the curated zone over the last 3 days: a difference means a raw object is not (yet) transformed',
    sql: `SELECT coalesce(r.dt, c.dt) AS dt, r.events AS raw_events, c.events AS curated_events
FROM (SELECT dt, count(*) AS events FROM raw_events WHERE dt >= CAST(current_date - INTERVAL '2' DAY AS varchar) GROUP BY dt) r
FULL OUTER JOIN (SELECT dt, count(*) AS events FROM curated_events WHERE dt >= CAST(current_date - INTERVAL '2' DAY AS varchar) GROUP BY dt) c
  ON r.dt = c.dt
ORDER BY 1 DESC;`,
  },
];

import { type CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';

import { addCounts, countsFromCloudWatch, emptyCounts } from './experiment-metrics.js';
import type { AlarmState, ReleaseCounts } from './gates.js';
import { EDGE_METRICS, type MetricsSource } from './metrics.js';

/**
 * Lambda@Edge runs in the AWS region nearest the edge location that got the request, and its logs,
 * so the metrics its embedded-metric-format lines create, land in that region. The gates therefore
 * add up the counters of every region a replica may run in: the regions of CloudFront's regional
 * edge caches, here every region enabled by default. A region with no traffic costs one empty answer.
 */
export const EDGE_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
] as const;

/** Errors of a region the account has not enabled (or cannot use): it ran no replica, so it counts nothing. */
const REGION_UNAVAILABLE = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'AuthFailure', 'OptInRequired']);

export interface CloudWatchSourceOptions {
  stage: string;
  /** A CloudWatch client for a region (the caller caches and destroys them). */
  client: (region: string) => CloudWatchClient;
  /** Where the gate alarms live: the stage's region. */
  alarmRegion: string;
  regions?: readonly string[];
  warn?: (message: string) => void;
  now?: () => Date;
}

export function cloudWatchMetricsSource(options: CloudWatchSourceOptions): MetricsSource {
  const regions = options.regions ?? EDGE_REGIONS;
  /** The same query in every region; a region the account cannot use ran no replica and counts `none`. */
  const inEveryRegion = <T>(query: (client: CloudWatchClient) => Promise<T>, none: T): Promise<T[]> =>
    Promise.all(
      regions.map((region) =>
        query(options.client(region)).catch((error: unknown) => {
          if (!REGION_UNAVAILABLE.has((error as Error).name)) throw error;
          options.warn?.(`Skipped ${region} (${(error as Error).name}): the account cannot use it, so no replica ran there.`);
          return none;
        }),
      ),
    );
  return {
    location: `CloudWatch ${EDGE_METRICS.namespace} in ${regions.length} regions`,
    async experimentCounts(experiment, window) {
      // Exposures come from the router's replicas, conversions from the application's region: both are somewhere in the list.
      const perRegion = await inEveryRegion((client) => countsFromCloudWatch(client, options.stage, experiment, window, options.now?.() ?? new Date()), emptyCounts(experiment));
      return perRegion.reduce(addCounts);
    },
    async releaseCounts(release, window) {
      const perRegion = await inEveryRegion((client) => countsIn(client, options.stage, release, window), { exposures: 0, originResponses: 0, origin5xx: 0 });
      return perRegion.reduce((sum, c) => ({ exposures: sum.exposures + c.exposures, originResponses: sum.originResponses + c.originResponses, origin5xx: sum.origin5xx + c.origin5xx }));
    },
    async alarmStates(names) {
      const states = new Map<string, AlarmState>();
      if (names.length === 0) return states;
      const client = options.client(options.alarmRegion);
      let NextToken: string | undefined;
      do {
        const page = await client.send(new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], NextToken }));
        for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
          if (alarm.AlarmName && alarm.StateValue) states.set(alarm.AlarmName, alarm.StateValue as AlarmState);
        }
        NextToken = page.NextToken;
      } while (NextToken);
      return states;
    },
  };
}

/** The three counters' sums over the window, in one region (one period spanning the whole window). */
async function countsIn(client: CloudWatchClient, stage: string, release: string, window: { from: Date; to: Date }): Promise<ReleaseCounts> {
  const seconds = Math.max(60, Math.ceil((window.to.getTime() - window.from.getTime()) / 60_000) * 60);
  const query = (Id: string, MetricName: string): MetricDataQuery => ({
    Id,
    MetricStat: {
      Metric: {
        Namespace: EDGE_METRICS.namespace,
        MetricName,
        Dimensions: [
          { Name: EDGE_METRICS.dimensions.stage, Value: stage },
          { Name: EDGE_METRICS.dimensions.release, Value: release },
        ],
      },
      Period: seconds,
      Stat: 'Sum',
    },
    ReturnData: true,
  });
  const sums: Record<string, number> = { exposures: 0, responses: 0, errors: 0 };
  let NextToken: string | undefined;
  do {
    const page = await client.send(
      new GetMetricDataCommand({
        MetricDataQueries: [query('exposures', EDGE_METRICS.exposures), query('responses', EDGE_METRICS.originResponses), query('errors', EDGE_METRICS.origin5xx)],
        StartTime: window.from,
        EndTime: window.to,
        NextToken,
      }),
    );
    for (const result of page.MetricDataResults ?? []) {
      if (result.Id && result.Id in sums) sums[result.Id]! += (result.Values ?? []).reduce((a, b) => a + b, 0);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return { exposures: sums.exposures!, originResponses: sums.responses!, origin5xx: sums.errors! };
}

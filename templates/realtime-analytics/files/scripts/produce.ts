// Puts a synthetic stream of latency metrics on the deployed stream, in real time, with a few
// anomalies injected, so the aggregates table fills and the anomaly topic gets alerts:
//   npm run produce -- <stream-name> [--keys 5] [--windows 15] [--window-seconds 60] [--seed 1]
// --window-seconds must match the stack's windowSeconds option (sprout.json). Credentials and region
// come from the usual AWS environment (AWS_PROFILE, AWS_REGION…). Anomalies start after 8 windows.
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { putMetrics } from '../src/lib/producer.js';
import { syntheticStream } from '../src/lib/synthetic.js';

const [streamName, ...rest] = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const index = rest.indexOf(`--${name}`);
  const value = index >= 0 ? Number(rest[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
};
if (!streamName || streamName.startsWith('--')) {
  console.error('usage: npm run produce -- <stream-name> [--keys 5] [--windows 15] [--window-seconds 60] [--seed 1]');
  process.exit(2);
}
const windowSeconds = flag('window-seconds', 60);
const windowMs = windowSeconds * 1000;
const start = Math.ceil(Date.now() / windowMs) * windowMs;
const stream = syntheticStream({
  seed: flag('seed', 1),
  keys: flag('keys', 5),
  windows: flag('windows', 15),
  windowSeconds,
  start,
  anomalyRate: 0.1,
  anomalyShift: 10,
  warmupWindows: 8,
});
console.log(`${stream.metrics.length} metrics for ${stream.keys.length} keys over ${stream.metrics.length ? Math.round((stream.metrics.at(-1)!.at - start) / 1000) : 0} s, starting at ${new Date(start).toISOString()}`);
console.log(`anomalies injected: ${[...stream.anomalies].map((a) => { const [key, w] = a.split('@'); return `${key} in the window starting ${new Date(start + Number(w) * windowMs).toISOString()}`; }).join('; ') || 'none'}`);
const client = new KinesisClient({});
let next = 0;
while (next < stream.metrics.length) {
  const wait = (stream.metrics[next]?.at ?? 0) - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 1000)));
  const due: typeof stream.metrics = [];
  while (next < stream.metrics.length && (stream.metrics[next]?.at ?? 0) <= Date.now()) due.push(stream.metrics[next++]!);
  if (due.length) await putMetrics(client, streamName, due);
}
console.log('done: the last window is flushed once Lambda closes it (up to a few minutes later)');

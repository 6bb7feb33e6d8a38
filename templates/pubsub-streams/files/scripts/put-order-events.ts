// Puts the sample lifecycle of a few orders on the deployed stream, each order's events in order:
//   npx tsx scripts/put-order-events.ts <stream-name> [number-of-orders]
// Credentials and region come from the usual AWS environment (AWS_PROFILE, AWS_REGION…).
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { putInOrder, sampleOrderEvents } from '../src/lib/producer.js';

const [streamName, count = '5'] = process.argv.slice(2);
if (!streamName || !/^[1-9]\d{0,3}$/.test(count)) {
  console.error('usage: npx tsx scripts/put-order-events.ts <stream-name> [number-of-orders, 1-9999]');
  process.exit(2);
}
const client = new KinesisClient({});
const results = await putInOrder(client, streamName, sampleOrderEvents(Number(count)));
for (const { event, shardId, sequenceNumber } of results) {
  console.log(`${event.orderId}\t${event.type.padEnd(9)}\t${shardId}\t${sequenceNumber}`);
}
console.log(`${results.length} events put for ${count} orders`);

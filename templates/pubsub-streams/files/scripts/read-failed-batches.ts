// Reads the on-failure queue and, for each batch Lambda gave up on, reads its records back from the
// stream (they are only in the stream until the retention period ends, 24 hours by default):
//   npx tsx scripts/read-failed-batches.ts <failure-queue-url> [--delete]
// Prints each record (shard, sequence number, partition key, data). With --delete, removes each
// queue message once its records were read back; without it the messages stay in the queue.
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parseFailedBatch, readFailedRecords } from '../src/lib/failed-batches.js';

const [queueUrl, flag] = process.argv.slice(2);
if (!queueUrl || (flag !== undefined && flag !== '--delete')) {
  console.error('usage: npx tsx scripts/read-failed-batches.ts <failure-queue-url> [--delete]');
  process.exit(2);
}
const sqs = new SQSClient({});
const kinesis = new KinesisClient({});
let batches = 0;
for (;;) {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 2, VisibilityTimeout: 60 }));
  if (Messages.length === 0) break;
  for (const message of Messages) {
    const failed = parseFailedBatch(message.Body ?? '');
    const { batch } = failed;
    console.log(`# ${failed.condition}: ${batch.batchSize} records of ${batch.shardId}, ${batch.startSequenceNumber} … ${batch.endSequenceNumber}`);
    const records = await readFailedRecords(kinesis, batch);
    for (const record of records) {
      console.log(`${batch.shardId}\t${record.SequenceNumber}\t${record.PartitionKey}\t${new TextDecoder().decode(record.Data)}`);
    }
    if (records.length < batch.batchSize) console.log(`# only ${records.length} of ${batch.batchSize} records are still in the stream`);
    if (flag === '--delete') await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    batches++;
  }
}
console.log(`${batches} failed batches read`);

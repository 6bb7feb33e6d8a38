import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import ReleaseCreate from '../../src/commands/release/create.js';
import ReleaseList from '../../src/commands/release/list.js';
import RolloutAbort from '../../src/commands/rollout/abort.js';
import RolloutAdvance from '../../src/commands/rollout/advance.js';
import RolloutPause from '../../src/commands/rollout/pause.js';
import RolloutPromote from '../../src/commands/rollout/promote.js';
import RolloutResume from '../../src/commands/rollout/resume.js';
import RolloutStart from '../../src/commands/rollout/start.js';
import RolloutStatus from '../../src/commands/rollout/status.js';
import { EDGE_REGIONS } from '../../src/edge/cloudwatch-metrics.js';
import { outputsFile } from '../../src/deploy/outputs.js';
import type { ReleaseDocument } from '../../src/runtime/edge-router/release-document.js';
import { DEPLOYED, recordOutputs, runOnDeployedStage, useDeployedStage } from '../helpers/deployed-stage.js';
import { A, B, running, withReleases } from '../edge/fixtures.js';

// Every release and rollout command against a deployed stage, run in this process with the AWS
// clients mocked: the exact calls, the conditional writes and the conflict path.

const s3 = mockClient(S3Client);
const cloudWatch = mockClient(CloudWatchClient);
const scratch = useDeployedStage([s3, cloudWatch]);
const run = runOnDeployedStage;
const { releaseBucket: RELEASE_BUCKET, siteBucket: SITE_BUCKET, actor: ACTOR } = DEPLOYED;

function stored(document: ReleaseDocument, etag = '"v1"') {
  s3.on(GetObjectCommand, { Bucket: RELEASE_BUCKET, Key: 'release.json' }).resolves({ Body: { transformToString: async () => JSON.stringify(document) } as never, ETag: etag });
}

/** The release document written, and the condition it was written under. */
function written(): { document: ReleaseDocument; IfMatch?: string; IfNoneMatch?: string } {
  const calls = s3.commandCalls(PutObjectCommand).filter((c) => c.args[0].input.Bucket === RELEASE_BUCKET);
  expect(calls).toHaveLength(1);
  const { Body, IfMatch, IfNoneMatch } = calls[0]!.args[0].input;
  return { document: JSON.parse(Body as string), ...(IfMatch ? { IfMatch } : {}), ...(IfNoneMatch ? { IfNoneMatch } : {}) };
}

function metrics(exposures: number, responses: number, errors: number) {
  cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'exposures', Values: [exposures / EDGE_REGIONS.length] }, { Id: 'responses', Values: [responses / EDGE_REGIONS.length] }, { Id: 'errors', Values: [errors / EDGE_REGIONS.length] }] });
}

describe('sprout release create and list on a deployed stage', () => {
  it('uploads to the site bucket, then registers the release with If-None-Match on a fresh document', async () => {
    const dir = join(scratch.path(), 'dist', 'site');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'index.html'), '<html>v2</html>');
    s3.on(HeadObjectCommand).rejects(new S3ServiceException({ name: 'NotFound', $fault: 'client', $metadata: { httpStatusCode: 404 } }));
    s3.on(GetObjectCommand).rejects(new S3ServiceException({ name: 'NoSuchKey', $fault: 'client', $metadata: { httpStatusCode: 404 } }));
    s3.on(PutObjectCommand).resolves({ ETag: '"new"' });
    const { exitCode, json } = await run(ReleaseCreate, ['--dir', dir]);
    expect(exitCode).toBe(0);
    const id = json.result.release.id;
    expect(json.result).toMatchObject({ uploaded: true, registered: true, location: `s3://${RELEASE_BUCKET}/release.json`, release: { createdBy: ACTOR } });
    expect(s3).toHaveReceivedCommandWith(HeadObjectCommand, { Bucket: SITE_BUCKET, Key: `releases/${id}/.sprout-release.json`, ExpectedBucketOwner: '111111111111' });
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: SITE_BUCKET, Key: `releases/${id}/index.html`, ContentType: 'text/html; charset=utf-8', ExpectedBucketOwner: '111111111111' });
    // Every call names the owner: the release bucket's name is predictable.
    expect(s3.calls().every((c) => (c.args[0].input as { ExpectedBucketOwner?: string }).ExpectedBucketOwner === '111111111111')).toBe(true);
    const doc = written();
    expect(doc.IfNoneMatch).toBe('*');
    expect(doc.document).toMatchObject({ stage: 'dev', revision: 1, releases: [{ id, createdBy: ACTOR }] });
    const regions = await Promise.all(s3.calls().map((c) => (c.thisValue as S3Client).config.region()));
    expect(new Set(regions)).toEqual(new Set(['eu-west-1', 'us-east-1']));
  });

  it('lists the releases newest first with their roles, writing nothing', async () => {
    stored(running());
    const { json } = await run(ReleaseList, []);
    expect(json.result.releases.map((r: { id: string; role?: string }) => [r.id, r.role])).toEqual([
      [B, 'candidate 10% (running)'],
      [A, 'stable'],
    ]);
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
  });
});

describe('sprout rollout … on a deployed stage', () => {
  it('start writes the plan conditionally on the ETag read, after checking the alarms exist', async () => {
    stored(withReleases('dev'), '"etag-7"');
    s3.on(PutObjectCommand).resolves({ ETag: '"etag-8"' });
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'checkout-errors', StateValue: 'OK' }] });
    const { exitCode, json } = await run(RolloutStart, [B, '--steps', '10,50,100', '--interval', '30m', '--max-error-rate', '2%', '--min-requests', '1000', '--alarm', 'checkout-errors']);
    expect(exitCode).toBe(0);
    expect(json.result).toMatchObject({ health: 'progressing', rollout: { candidate: B, weights: { stable: 90, candidate: 10 } } });
    const doc = written();
    expect(doc.IfMatch).toBe('"etag-7"');
    expect(doc.document.rollout).toMatchObject({ candidate: B, steps: [10, 50, 100], intervalSeconds: 1800, gates: { maxErrorRate: 0.02, minRequests: 1000, alarms: ['checkout-errors'] }, state: 'running' });
    expect(doc.document.history.at(-1)).toMatchObject({ action: 'start', actor: ACTOR });
    expect(cloudWatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: ['checkout-errors'] });
  });

  it('advance reads the metrics of every edge region and moves one step when the gates pass', async () => {
    stored({ ...running(), stage: 'dev' });
    s3.on(PutObjectCommand).resolves({ ETag: '"v2"' });
    metrics(1700, 850, 0);
    const { exitCode, json } = await run(RolloutAdvance, []);
    expect(exitCode).toBe(0);
    expect(json.result).toMatchObject({ action: 'advanced', rollout: { step: 2, weights: { candidate: 50 } }, verdict: { result: 'pass' } });
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, EDGE_REGIONS.length);
    expect(written()).toMatchObject({ IfMatch: '"v1"', document: { rollout: { step: 1 } } });
  });

  it('advance aborts on a failing gate and exits 1 with the metric, value and window', async () => {
    stored({ ...running(), stage: 'dev' });
    s3.on(PutObjectCommand).resolves({ ETag: '"v2"' });
    metrics(1700, 850, 85);
    const { exitCode, json } = await run(RolloutAdvance, []);
    expect(exitCode).toBe(1);
    expect(json.error).toMatchObject({ code: 'GATE_FAILED', message: expect.stringContaining('5xx rate: 10% of 850 origin responses') });
    expect(written().document.rollout).toMatchObject({ state: 'aborted' });
  });

  it('advance pauses on thin traffic and exits 69', async () => {
    stored({ ...running(), stage: 'dev' });
    s3.on(PutObjectCommand).resolves({ ETag: '"v2"' });
    metrics(17, 17, 0);
    const { exitCode, json } = await run(RolloutAdvance, []);
    expect(exitCode).toBe(69);
    expect(json.result).toMatchObject({ action: 'paused', health: 'paused' });
  });

  it('a lost race is exit 4, and nothing else is written', async () => {
    stored({ ...running(), stage: 'dev' });
    s3.on(PutObjectCommand).rejects(new S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', $metadata: { httpStatusCode: 412 } }));
    const { exitCode, json } = await run(RolloutAbort, []);
    expect(exitCode).toBe(4);
    expect(json.error.code).toBe('RELEASE_DOCUMENT_CHANGED');
    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
  });

  it('abort, pause, resume and promote --full each write one conditional change', async () => {
    const cases: Array<[typeof RolloutAbort | typeof RolloutPause | typeof RolloutResume | typeof RolloutPromote, string[], ReleaseDocument, (d: ReleaseDocument) => void]> = [
      [RolloutAbort, ['--reason', 'broken checkout'], running(), (d) => expect(d.rollout).toMatchObject({ state: 'aborted', reason: 'broken checkout' })],
      [RolloutPause, [], running(), (d) => expect(d.rollout?.state).toBe('paused')],
      [RolloutResume, [], { ...running(), rollout: { ...running().rollout!, state: 'paused' } }, (d) => expect(d.rollout?.state).toBe('running')],
      [RolloutPromote, ['--full'], running(), (d) => expect(d).toMatchObject({ stable: B, rollout: { state: 'complete' } })],
    ];
    for (const [command, argv, document, check] of cases) {
      s3.reset();
      stored({ ...document, stage: 'dev' }, '"before"');
      s3.on(PutObjectCommand).resolves({ ETag: '"after"' });
      const { exitCode } = await run(command, argv);
      expect(exitCode).toBe(0);
      const doc = written();
      expect(doc.IfMatch).toBe('"before"');
      check(doc.document);
    }
  });

  it('--dry-run writes nothing', async () => {
    stored({ ...running(), stage: 'dev' });
    const { exitCode, json } = await run(RolloutAbort, ['--dry-run']);
    expect(exitCode).toBe(0);
    expect(json.result).toMatchObject({ dryRun: true, written: false, health: 'aborted' });
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('status reports the split and the verdict, and exits 69 while in progress', async () => {
    stored({ ...running(), stage: 'dev' });
    metrics(100, 50, 0);
    const { exitCode, json } = await run(RolloutStatus, []);
    expect(exitCode).toBe(69);
    expect(json.result).toMatchObject({ health: 'progressing', rollout: { weights: { stable: 90, candidate: 10 } }, verdict: { result: 'inconclusive' } });
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('says to deploy first when the stage has no release router (exit 3)', async () => {
    await recordOutputs(scratch.path(), { SiteBucketName: SITE_BUCKET });
    const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
    const cfn = mockClient(CloudFormationClient);
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'shop-dev', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: [] }] });
    const { exitCode, json } = await run(RolloutStatus, []);
    expect(exitCode).toBe(3);
    expect(json.error).toMatchObject({ code: 'EDGE_ROUTER_NOT_DEPLOYED', suggestions: expect.arrayContaining(['Deploy it first: sprout deploy --stage dev']) });
    cfn.restore();
  });
});

import { Flags } from '@oclif/core';

import { SproutCommand } from '../cli/base-command.js';
import { currentProject } from '../cli/project.js';
import type { SandboxSummary } from '../dev/sandbox.js';
import type { DevLogEvent } from '../dev/types.js';

/** AWS's waits run this much faster unless --real-time: a poison message reaches its DLQ in seconds. */
const DEFAULT_TIME_SCALE = 0.05;

export default class Dev extends SproutCommand<typeof Dev> {
  static summary = 'Run the project on this machine: its APIs, handlers, tables, queues, workflows and edge router, with no AWS account.';

  static description = [
    'Synthesizes the app, reads the CloudFormation it produces and serves it on localhost: API Gateway REST and HTTP routes invoke the real handler bundles; DynamoDB runs in dynalite, S3 in s3rver, Kinesis in kinesalite; SQS (batches, partial failures, DLQs), SNS (filter policies), EventBridge rules, S3 notifications, Kinesis mappings and Step Functions run in process; a local CloudFront port runs the edge router on .sprout/local/release.json.',
    'Handlers read the local flag store: `sprout flags set … --stage local` and `sprout rollout … --stage local` in another terminal apply without a restart. Resource types it cannot run are listed at start.',
    'With --json, every log line is a JSON object on stderr (the first with "event":"ready" lists the URLs), and the summary is printed on stdout when it stops. Ctrl-C stops everything.',
  ].join('\n\n');

  static examples = [
    '<%= config.bin %> <%= command.id %>',
    { description: 'Rebuild on every change, API on port 4000', command: '<%= config.bin %> <%= command.id %> --watch --port 4000' },
    { description: 'In a script: wait for the ready line, then test against it', command: '<%= config.bin %> <%= command.id %> --port 0 --json 2>dev.log & until grep -q \'"event":"ready"\' dev.log; do sleep 1; done' },
  ];

  static flags = {
    port: Flags.integer({ char: 'p', description: 'First port to serve on: the CloudFront port when the app has one, else the first API (more APIs take the next ports). 0 picks free ports.', default: 3000, min: 0, max: 65535 }),
    watch: Flags.boolean({ char: 'w', description: 'Re-synthesize and restart the handlers when the code changes (tables, buckets and their data are kept).' }),
    'real-time': Flags.boolean({ description: `Use AWS's own visibility timeouts, retry back-off and batching windows (default: ×${DEFAULT_TIME_SCALE}, so retries and DLQs show in seconds).` }),
  };

  async run(): Promise<SandboxSummary> {
    // Lambda runs the handlers on nodejs24.x: the SDK's notice about this machine's Node is noise here.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const project = await currentProject();
    const [{ runDev }, { synthesizeForDev }, { renderBanner }] = await Promise.all([import('../dev/run.js'), import('../dev/synth.js'), import('../dev/banner.js')]);
    const json = this.jsonEnabled();
    const timing = { scale: this.flags['real-time'] ? 1 : DEFAULT_TIME_SCALE };
    const write = (line: string) => (json ? process.stderr : process.stdout).write(`${line}\n`);
    const log = (event: DevLogEvent) => write(json ? JSON.stringify({ event: 'log', ...event }) : formatLog(event));

    const stopped = new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    if (!json) write('Synthesizing the app…');
    const summary = await runDev({
      root: project.root,
      config: project.config,
      port: this.flags.port,
      watch: this.flags.watch,
      timing,
      log,
      synthesize: (dir) => synthesizeForDev(dir, 'local', (line) => log({ kind: 'warning', source: 'synth', message: line })),
      stopped,
      onReady: (ready, reload) => {
        if (json) write(JSON.stringify({ event: 'ready', reload, ...ready }));
        else write(reload ? `Reloaded: ${[...ready.distributions, ...ready.apis].map((u) => u.url).join(', ')}` : renderBanner(ready, { root: project.root, timing, watch: this.flags.watch }));
      },
    });
    if (!json) write('Stopped: nothing is left running.');
    return summary;
  }
}

function formatLog(event: DevLogEvent): string {
  const time = new Date().toISOString().slice(11, 19);
  const mark = event.kind === 'error' ? '✖ ' : event.kind === 'warning' ? '! ' : '';
  const separator = event.kind === 'output' ? '│ ' : '';
  return `${time} ${shortName(event.source).padEnd(20)} ${separator}${mark}${event.message}`;
}

/** A function's name without its stack prefix and CDK's hash suffix: demo-local-CreateItemFunction4680EAD5 → CreateItemFunction. */
export function shortName(source: string): string {
  const cdk = /^(?:.*-)?([A-Za-z][A-Za-z0-9]*?)[0-9A-F]{8}$/.exec(source);
  return cdk ? cdk[1]! : source;
}

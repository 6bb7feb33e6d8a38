import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { Flags } from '@oclif/core';

import { dryRunFlag } from '../../cli/base-command.js';
import { EdgeCommand, edgeFlags } from '../../cli/edge.js';
import { execaExec } from '../../core/exec.js';
import { SproutError } from '../../core/errors.js';
import { defaultBuildDir } from '../../edge/release-files.js';
import { type CreatedRelease, createRelease } from '../../edge/service.js';

export default class ReleaseCreate extends EdgeCommand<typeof ReleaseCreate> {
  static summary = 'Upload the built frontend as a release, ready to roll out.';

  static description = `Builds the frontend (npm run build:frontend, unless --dir or --no-build), uploads it to the site bucket under releases/<id>/ and registers it in the stage's release document. The id is derived from the content: the same files give the same id, and uploading them again changes nothing. Releases are immutable; none gets traffic until a rollout starts.

On the local stage the files go to .sprout/local/site/releases/<id>/ and no AWS account is needed.`;

  static examples = [
    { description: 'Build and upload to the local stage', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Upload an existing build to prod, in CI', command: '<%= config.bin %> <%= command.id %> --dir dist/site --stage prod --json' },
    { description: 'See the id without uploading', command: '<%= config.bin %> <%= command.id %> --dry-run' },
  ];

  static flags = {
    ...edgeFlags,
    dir: Flags.string({ description: 'The built site to upload. Default: dist/site, built first with npm run build:frontend.' }),
    build: Flags.boolean({ description: 'Run npm run build:frontend first (the default when --dir is not given and the project has that script).', allowNo: true }),
    origin: Flags.string({ description: 'An API variant: the origin domain this release is served from, instead of the site bucket.' }),
    'dry-run': dryRunFlag,
  };

  async run(): Promise<CreatedRelease & { location: string }> {
    const { root } = await this.project();
    const dir = this.flags.dir ? resolve(this.flags.dir) : defaultBuildDir(root);
    const build = this.flags.build ?? (!this.flags.dir && hasScript(root, 'build:frontend'));
    if (build && !this.flags['dry-run']) await this.buildFrontend(root);
    const edge = await this.edge();
    const result = await createRelease(edge, { dir, origin: this.flags.origin, dryRun: this.flags['dry-run'] }, (done, total) => {
      if (done === total || done % 25 === 0) this.reporter.info(`Uploaded ${done} of ${total} files`);
    });
    const { release } = result;
    const size = `${release.files} files, ${(release.bytes / 1024).toFixed(1)} KiB`;
    if (result.dryRun) this.log(`Dry run: ${dir} is release ${release.id} (${size}); nothing uploaded.`);
    else this.log(`Release ${release.id} (${size}) ${result.uploaded ? 'uploaded to' : 'was already in'} ${edge.releasesLocation}${result.registered ? '' : ', already registered'}.\nRoll it out: sprout rollout start ${release.id}${this.flags.stage ? ` --stage ${this.flags.stage}` : ''}`);
    return { ...result, location: edge.documentLocation };
  }

  private async buildFrontend(root: string): Promise<void> {
    this.reporter.info('Building the frontend: npm run build:frontend');
    const result = await execaExec('npm', ['run', 'build:frontend', '--silent'], { cwd: root, onLine: (line) => this.reporter.info(`  ${line}`) });
    if (result.exitCode !== 0) {
      throw new SproutError('BUILD_FAILED', `npm run build:frontend failed (exit ${result.exitCode}); nothing was uploaded.`, {
        suggestions: ['Fix the build, or upload an existing build with --dir.', ...(existsSync(join(root, 'node_modules')) ? [] : ['Install the dependencies first: npm install.'])],
      });
    }
  }
}

function hasScript(root: string, name: string): boolean {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    return typeof pkg.scripts?.[name] === 'string';
  } catch {
    return false;
  }
}

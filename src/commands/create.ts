import { Args, Flags } from '@oclif/core';

import { loadCatalog } from '../catalog/catalog.js';
import { execaExec } from '../core/exec.js';
import { ExitCode } from '../core/exit-codes.js';
import { type CreateResult, createProject } from '../scaffold/create.js';
import { PACKAGE_MANAGERS } from '../scaffold/package-manager.js';
import { gigetFetcher } from '../scaffold/template-source.js';
import { ownDependencyVersions } from '../scaffold/versions.js';
import { inquirerPrompter, noPrompter } from '../ui/prompts.js';
import { listrTaskRunner } from '../ui/tasks.js';
import { dryRunFlag, SproutCommand } from '../cli/base-command.js';

export default class Create extends SproutCommand<typeof Create> {
  static summary = 'Create a new project from a serverless architecture pattern.';

  static description = `Generates an AWS CDK app in TypeScript (infrastructure, handlers, tests, README) from a catalog pattern or from your own template, then installs dependencies and makes a first git commit.

Without a terminal (CI, pipes, --json) nothing is asked: give DIR and --pattern, and the options take their defaults unless set with --option. Files are written atomically: on an error or Ctrl-C nothing is left behind, and no existing file is ever overwritten.`;

  static examples = [
    { description: 'Ask for everything', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Create with every default, no questions', command: '<%= config.bin %> <%= command.id %> my-api --pattern backend-api --yes' },
    {
      description: 'Set template options',
      command: '<%= config.bin %> <%= command.id %> my-api -p backend-api --option pageSize=50 --option tableRemovalPolicy=destroy --yes',
    },
    { description: 'In CI: JSON out, no install, no git', command: '<%= config.bin %> <%= command.id %> my-api -p backend-api --no-install --no-git --json' },
    { description: 'See the files without writing anything', command: '<%= config.bin %> <%= command.id %> my-api -p backend-api --dry-run' },
    { description: 'From your own template in a repository', command: '<%= config.bin %> <%= command.id %> my-api --template gh:acme/templates/orders#v2 --yes' },
    { description: 'The same, through npm', command: 'npx create-sprout my-api --pattern backend-api' },
  ];

  static args = {
    dir: Args.string({ description: 'The project folder to create (asked for when missing and interactive).' }),
  };

  static flags = {
    pattern: Flags.string({ char: 'p', description: 'The catalog pattern id (see "sprout patterns list").' }),
    template: Flags.string({
      description: 'A template outside the catalog: a local folder, or gh:owner/repo/subdir#ref (fetched with giget).',
    }),
    name: Flags.string({ description: 'The npm package name. Default: the folder name.' }),
    option: Flags.string({
      char: 'o',
      description: 'A template option as key=value (repeatable; see "sprout patterns show <id>").',
      multiple: true,
    }),
    install: Flags.boolean({ allowNo: true, description: 'Install dependencies after writing. Default: yes.' }),
    git: Flags.boolean({ allowNo: true, description: 'git init and a first commit (skipped inside an existing repository). Default: yes.' }),
    'package-manager': Flags.string({
      description: 'The package manager to install with. Default: the one that ran sprout (npm_config_user_agent), else npm.',
      options: [...PACKAGE_MANAGERS],
    }),
    force: Flags.boolean({ description: 'Allow a folder that is not empty. Existing files are still never overwritten.' }),
    'dry-run': dryRunFlag,
  };

  async run(): Promise<CreateResult> {
    const interactive = this.interactive;
    const controller = new AbortController();
    // `on`, not `once`: execa's exit hook re-raises SIGINT when it finds no other listener.
    // The first Ctrl-C cleans up; a second one ends the process at once.
    const onInterrupt = () => {
      if (!controller.signal.aborted) return controller.abort();
      process.removeListener('SIGINT', onInterrupt);
      process.kill(process.pid, 'SIGINT');
    };
    process.on('SIGINT', onInterrupt);
    try {
      const { result, partial } = await createProject(
        {
          dir: this.args.dir,
          pattern: this.flags.pattern,
          template: this.flags.template,
          name: this.flags.name,
          options: this.flags.option ?? [],
          yes: this.flags.yes === true,
          install: this.flags.install,
          git: this.flags.git,
          packageManager: this.flags['package-manager'] as CreateResult['packageManager'] | undefined,
          force: this.flags.force === true,
          dryRun: this.flags['dry-run'] === true,
        },
        {
          cwd: process.cwd(),
          interactive,
          prompter: interactive ? inquirerPrompter() : noPrompter,
          catalog: () => loadCatalog(),
          fetchTemplate: gigetFetcher,
          exec: execaExec,
          tasks: listrTaskRunner({ animated: interactive && Boolean(process.stderr.isTTY) }),
          reporter: this.reporter,
          versions: () => ownDependencyVersions(),
          userAgent: process.env.npm_config_user_agent,
          signal: controller.signal,
        },
      );
      if (partial) this.exitStatus = ExitCode.partial;
      this.log(summary(result));
      return result;
    } finally {
      process.removeListener('SIGINT', onInterrupt);
    }
  }
}

function summary(result: CreateResult): string {
  if (result.dryRun) {
    return [
      `Dry run: would create ${result.name} (${result.pattern}) in ${result.dir} with ${result.files.length} files:`,
      ...result.files.map((file) => `  ${file}`),
      'Nothing was written.',
    ].join('\n');
  }
  return [
    `Created ${result.name} from the ${result.pattern} pattern in ${result.dir}.`,
    '',
    'Next steps:',
    ...result.nextSteps.map((step) => `  ${step}`),
  ].join('\n');
}

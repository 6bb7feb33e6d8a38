import { Args, Flags } from '@oclif/core';

import { dryRunFlag, SproutCommand } from '../../cli/base-command.js';
import { currentProject } from '../../cli/project.js';
import { loadCatalog } from '../../catalog/catalog.js';
import { type AddServiceResult, addService } from '../../project/services.js';
import { ownDependencyVersions } from '../../scaffold/versions.js';

export default class ServicesAdd extends SproutCommand<typeof ServicesAdd> {
  static summary = 'Scaffold a new service from a pattern into services/<name> and register it.';

  static description = 'Writes the service atomically (as sprout create does) and adds it to sprout.json. --account, --region, --domain and --path set where it deploys, for every stage or, with --stage, for one.';

  static examples = [
    '<%= config.bin %> <%= command.id %> billing --pattern backend-api',
    { description: 'Its own account and host name', command: '<%= config.bin %> <%= command.id %> billing -p backend-api --account 123456789012 --domain billing.example.com' },
    { description: 'Path mode', command: '<%= config.bin %> <%= command.id %> billing -p backend-api --path /api/billing' },
    { description: 'Another account in prod only', command: '<%= config.bin %> <%= command.id %> billing -p backend-api --stage prod --account 210987654321' },
  ];

  static args = {
    name: Args.string({ description: 'The service name: lower-case letters, digits and dashes.', required: true }),
  };

  static flags = {
    pattern: Flags.string({ char: 'p', description: 'The catalog pattern to scaffold it from.', required: true }),
    account: Flags.string({ description: 'The AWS account it deploys to (12 digits).' }),
    region: Flags.string({ description: 'The AWS region it deploys to.' }),
    domain: Flags.string({ description: 'Subdomain mode: its host name, such as billing.example.com.', exclusive: ['path'] }),
    path: Flags.string({ description: 'Path mode: its base path on the shared domain, such as /api/billing.', exclusive: ['domain'] }),
    stage: Flags.string({ char: 's', description: 'Apply --account/--region/--domain/--path to this stage only.' }),
    'dry-run': dryRunFlag,
  };

  async run(): Promise<AddServiceResult> {
    const project = await currentProject();
    const result = await addService(
      project,
      {
        name: this.args.name,
        pattern: this.flags.pattern,
        account: this.flags.account,
        region: this.flags.region,
        domain: this.flags.domain,
        basePath: this.flags.path,
        stage: this.flags.stage,
        dryRun: this.flags['dry-run'] === true,
      },
      { catalog: () => loadCatalog(), versions: () => ownDependencyVersions() },
    );
    this.log(
      result.dryRun
        ? `Dry run: would write ${result.files.length} files to ${result.path} and register ${result.name} in sprout.json.`
        : `Added ${result.name} (${result.pattern}) in ${result.path}.\n\nNext steps:\n  npm install\n  sprout deploy --stage <stage> --service ${result.name} --dry-run`,
    );
    return result;
  }
}

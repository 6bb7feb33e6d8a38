import { Args, Flags } from '@oclif/core';

import { dryRunFlag, SproutCommand } from '../../cli/base-command.js';
import { currentProject } from '../../cli/project.js';
import { CancelledError, UsageError } from '../../core/errors.js';
import { type RemoveServiceResult, removeService } from '../../project/services.js';
import { inquirerPrompter } from '../../ui/prompts.js';

export default class ServicesRemove extends SproutCommand<typeof ServicesRemove> {
  static summary = 'Unregister a service from sprout.json (and delete its folder with --delete-files).';

  static description = 'Its deployed stacks are not touched: destroy them first with sprout destroy --stage <stage> --service <name>.';

  static examples = [
    '<%= config.bin %> <%= command.id %> billing',
    '<%= config.bin %> <%= command.id %> billing --delete-files --yes',
  ];

  static args = { name: Args.string({ description: 'The service to remove.', required: true }) };

  static flags = {
    'delete-files': Flags.boolean({ description: 'Also delete its folder (asks first unless --yes).' }),
    'dry-run': dryRunFlag,
  };

  async run(): Promise<RemoveServiceResult> {
    const project = await currentProject();
    const deleteFiles = this.flags['delete-files'] === true;
    const dryRun = this.flags['dry-run'] === true;
    if (deleteFiles && !dryRun && !this.flags.yes) {
      if (!this.interactive) {
        throw new UsageError('CONFIRMATION_REQUIRED', '--delete-files deletes the service\'s folder and nobody is here to confirm it.', {
          suggestions: ['Add --yes to confirm.'],
        });
      }
      const yes = await inquirerPrompter().confirm({ message: `Delete the folder of ${this.args.name} and everything in it?`, default: false });
      if (!yes) throw new CancelledError('Nothing was changed.');
    }
    const result = await removeService(project, this.args.name, { deleteFiles, dryRun });
    this.log(`${dryRun ? 'Dry run: would remove' : 'Removed'} ${result.name} from sprout.json${deleteFiles ? ` and delete ${result.path}` : ` (its folder ${result.path} stays)`}.`);
    return result;
  }
}

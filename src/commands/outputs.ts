import { SproutCommand } from '../cli/base-command.js';
import { currentProject, stageFlag } from '../cli/project.js';
import { PreconditionError } from '../core/errors.js';
import { outputsFile, readOutputs, type StageOutputs, urlsIn } from '../deploy/outputs.js';
import { renderTable } from '../ui/table.js';

export default class Outputs extends SproutCommand<typeof Outputs> {
  static summary = 'Show the stack outputs of a stage\'s last deploy.';

  static description = 'Reads .sprout/outputs/<stage>.json, written by sprout deploy: for each app, its account, region, URL and every stack output.';

  static examples = [
    '<%= config.bin %> <%= command.id %> --stage dev',
    { description: 'One value, in a script', command: '<%= config.bin %> <%= command.id %> -s prod --json | jq -r \'.result.services.catalog.url\'' },
  ];

  static flags = { stage: stageFlag };

  async run(): Promise<StageOutputs> {
    const project = await currentProject();
    const stage = this.flags.stage ?? project.config.defaultStage;
    const outputs = await readOutputs(project.root, stage);
    if (!outputs) {
      throw new PreconditionError('NO_OUTPUTS', `Nothing has been deployed to ${stage} from here yet (no ${outputsFile(project.root, stage)}).`, {
        suggestions: [`Deploy first: sprout deploy --stage ${stage}`],
      });
    }
    const rows = Object.entries(outputs.services).flatMap(([name, service]) =>
      Object.entries(service.stacks).flatMap(([stack, values]) => Object.entries(values).map(([key, value]) => ({ name, stack, key, value }))),
    );
    this.log(
      Object.entries(outputs.services)
        .map(([name, s]) => `${name}  ${s.account}/${s.region}  ${[s.url, ...Object.values(s.stacks).flatMap(urlsIn)].filter(Boolean)[0] ?? ''}`)
        .join('\n'),
    );
    this.log(`\n${renderTable(rows, [
      { header: 'APP', value: (r) => r.name },
      { header: 'STACK', value: (r) => r.stack },
      { header: 'OUTPUT', value: (r) => r.key },
      { header: 'VALUE', value: (r) => r.value, shrink: true },
    ], process.stdout.columns)}`);
    return outputs;
  }
}

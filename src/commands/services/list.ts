import { SproutCommand } from '../../cli/base-command.js';
import { currentProject, stageFlag } from '../../cli/project.js';
import { type ServiceRow, serviceRows } from '../../project/service-rows.js';
import { renderTable } from '../../ui/table.js';

export default class ServicesList extends SproutCommand<typeof ServicesList> {
  static summary = 'List the services with where each deploys in a stage.';

  static description = 'For each service: its folder and pattern, and for an AWS stage its resolved account, region, domain or base path, and stack name.';

  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --stage prod',
    '<%= config.bin %> <%= command.id %> -s prod --json | jq -r \'.result.services[] | "\\(.name) \\(.account)"\'',
  ];

  static flags = { stage: stageFlag };

  async run(): Promise<{ stage: string; services: ServiceRow[] }> {
    const project = await currentProject();
    const stage = this.flags.stage ?? project.config.defaultStage;
    const services = serviceRows(project.config, project.root, stage);
    for (const row of services) if (row.problem) this.warn(`${row.name}: ${row.problem}`);
    this.log(
      services.length
        ? renderTable(services, [
            { header: 'SERVICE', value: (r) => r.name },
            { header: 'PATTERN', value: (r) => r.pattern },
            { header: 'ACCOUNT', value: (r) => r.account ?? '-' },
            { header: 'REGION', value: (r) => r.region ?? '-' },
            { header: 'STACK', value: (r) => r.stackName ?? '-' },
            { header: 'URL', value: (r) => r.url ?? '-', shrink: true },
          ], process.stdout.columns)
        : 'No services yet. Add one: sprout services add <name> --pattern backend-api',
    );
    return { stage, services };
  }
}

import { relative } from 'node:path';

import { CancelledError, PreconditionError } from '../core/errors.js';
import type { Exec } from '../core/exec.js';
import type { Reporter } from '../ui/reporter.js';
import type { Task, TaskRunner } from '../ui/tasks.js';
import { filesLayers } from '../catalog/catalog.js';
import { findConflicts } from './conflicts.js';
import { type CreateInputs, type CreateRequest, type InputDeps, resolveInputs } from './inputs.js';
import { type PackageManager, runScript } from './package-manager.js';
import { planProject } from './plan.js';
import { type GitOutcome, initGit, installTask } from './setup.js';
import { configPaths, planWorkspaceServices } from './workspace.js';
import { writeProject } from './write.js';

export type { CreateRequest } from './inputs.js';

export interface CreateDeps extends InputDeps {
  exec: Exec;
  tasks: TaskRunner;
  reporter: Reporter;
  /** The dependency versions generated projects get (sprout's own package.json). */
  versions: () => Record<string, string>;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
}

/** The `--json` result of `sprout create`. */
export interface CreateResult {
  dir: string;
  pattern: string;
  name: string;
  files: string[];
  installed: boolean;
  git: boolean;
  nextSteps: string[];
  packageManager: PackageManager;
  dryRun: boolean;
}

export interface CreateOutcome {
  result: CreateResult;
  /** Files were written but a step after that failed (exit 68). */
  partial: boolean;
}

export async function createProject(request: CreateRequest, deps: CreateDeps): Promise<CreateOutcome> {
  const inputs = await resolveInputs(request, deps);
  try {
    return await build(inputs, request.dryRun, deps);
  } finally {
    await inputs.template.dispose();
  }
}

async function build(inputs: CreateInputs, dryRun: boolean, deps: CreateDeps): Promise<CreateOutcome> {
  const { manifest, filesDir, source } = inputs.template;
  const versions = deps.versions();
  const services = manifest.workspace ? await planWorkspaceServices(manifest, deps.catalog(), versions) : [];
  // A template that extends a catalog pattern is that pattern's files with its own on top.
  const layers = manifest.extends ? filesLayers(manifest, filesDir, deps.catalog()) : undefined;
  const root = await planProject({
    filesDir,
    ...(layers ? { baseLayers: layers.slice(0, -1), omit: layers.at(-1)!.omit } : {}),
    name: inputs.name,
    pattern: manifest.id,
    options: inputs.options,
    versions,
    templateSource: source,
    configPaths: configPaths(manifest),
    ...(manifest.workspace ? { services: Object.fromEntries(services.map((s) => [s.name, { path: s.path, pattern: s.pattern }])) } : {}),
  });
  const plan = {
    files: [...root.files, ...services.flatMap((s) => s.files)],
    unpinnedDependencies: [...new Set([...root.unpinnedDependencies, ...services.flatMap((s) => s.unpinnedDependencies)])],
  };
  if (plan.unpinnedDependencies.length) {
    deps.reporter.info(`Kept the template's own versions for ${plan.unpinnedDependencies.join(', ')} (sprout does not test them).`);
  }
  if (inputs.targetState.kind !== 'missing') {
    const conflicts = await findConflicts(inputs.target, plan.files);
    if (conflicts.length) {
      throw new PreconditionError(
        'FILE_CONFLICT',
        `${conflicts.length} file${conflicts.length > 1 ? 's' : ''} of the project already exist in ${inputs.target}: ${conflicts.join(', ')}. Nothing was written.`,
        {
          details: { conflicts },
          suggestions: ['Move or rename those files, or choose another folder. --force never overwrites a file.'],
        },
      );
    }
  }

  const files = plan.files.map((file) => file.path);
  const result: CreateResult = {
    dir: inputs.target,
    pattern: manifest.id,
    name: inputs.name,
    files,
    installed: false,
    git: false,
    nextSteps: [],
    packageManager: inputs.packageManager,
    dryRun,
  };
  if (dryRun) {
    result.nextSteps = nextSteps(inputs, deps.cwd, false);
    return { result, partial: false };
  }

  const context = { target: inputs.target, exec: deps.exec, signal: deps.signal };
  let gitOutcome: GitOutcome | undefined;
  const tasks: Task[] = [
    {
      title: `Write ${files.length} files to ${inputs.target}`,
      run: async () => writeProject(inputs.target, plan.files, { signal: deps.signal }),
    },
  ];
  if (inputs.install) tasks.push(installTask(inputs.packageManager, context));
  if (inputs.git) {
    tasks.push({
      title: 'Initialize git',
      run: async () => {
        gitOutcome = await initGit(manifest.id, context);
        if (gitOutcome.status === 'failed') throw new Error(gitOutcome.reason);
        return gitOutcome.status === 'initialized' ? 'Initialized git with a first commit' : `Skipped git: ${gitOutcome.reason}`;
      },
    });
  }
  const [written, ...after] = await deps.tasks.run(tasks);
  if (written?.error) throw written.error;
  if (deps.signal?.aborted) {
    throw new CancelledError(`Cancelled. The project was written to ${inputs.target}; finish with the steps below.`, {
      suggestions: nextSteps(inputs, deps.cwd, false),
    });
  }

  let partial = false;
  const installOutcome = inputs.install ? after.shift() : undefined;
  if (installOutcome?.error) {
    partial = true;
    deps.reporter.warn(`Dependencies were not installed: ${installOutcome.error.message}.`);
  }
  result.installed = inputs.install && !installOutcome?.error;
  result.git = gitOutcome?.status === 'initialized';
  if (gitOutcome?.status === 'failed') deps.reporter.warn(`No git repository was made: ${gitOutcome.reason}.`);
  result.nextSteps = nextSteps(inputs, deps.cwd, result.installed);
  return { result, partial };
}

function nextSteps(inputs: CreateInputs, cwd: string, installed: boolean): string[] {
  const pm = inputs.packageManager;
  const where = relative(cwd, inputs.target);
  return [
    ...(where ? [`cd ${where.includes(' ') ? JSON.stringify(where) : where}`] : []),
    ...(installed ? [] : [`${pm} install`]),
    runScript(pm, 'test'),
    // Runs it on this machine: APIs, handlers, tables, queues and the edge, no AWS account.
    'sprout dev',
    runScript(pm, 'synth'),
    runScript(pm, 'deploy'),
  ];
}

import { basename, resolve } from 'node:path';

import { assertReady, findPattern, type Pattern } from '../catalog/catalog.js';
import type { OptionValue, TemplateOption } from '../catalog/schema.js';
import { PreconditionError, UsageError } from '../core/errors.js';
import type { Prompter } from '../ui/prompts.js';
import { coerceOptionValue, parseOptionAssignments, resolveOptionValues } from './options.js';
import { checkPackageName, toPackageName } from './package-name.js';
import { detectPackageManager, type PackageManager } from './package-manager.js';
import { inspectTarget, type TargetState } from './target.js';
import { resolveOutsideTemplate, type ResolvedTemplate, type TemplateFetcher } from './template-source.js';

/** What the user asked for, as flags and arguments; anything left undefined may be prompted for. */
export interface CreateRequest {
  dir?: string;
  pattern?: string;
  template?: string;
  name?: string;
  options: string[];
  yes: boolean;
  install?: boolean;
  git?: boolean;
  packageManager?: PackageManager;
  force: boolean;
  dryRun: boolean;
}

export interface InputDeps {
  cwd: string;
  interactive: boolean;
  prompter: Prompter;
  catalog: () => Pattern[];
  fetchTemplate: TemplateFetcher;
  userAgent?: string;
}

/** Everything `create` needs, decided: asked for, defaulted or refused. */
export interface CreateInputs {
  target: string;
  targetState: TargetState;
  name: string;
  template: ResolvedTemplate;
  options: Record<string, OptionValue>;
  install: boolean;
  git: boolean;
  packageManager: PackageManager;
}

const EXAMPLE = 'sprout create my-app --pattern backend-api --yes';

export async function resolveInputs(request: CreateRequest, deps: InputDeps): Promise<CreateInputs> {
  if (request.pattern && request.template) {
    throw new UsageError('CONFLICTING_FLAGS', '--pattern and --template cannot be used together.', {
      suggestions: ['Use --pattern for a catalog pattern, or --template for a template from a folder or a repository.'],
    });
  }
  if (!deps.interactive) assertNothingMissing(request, deps);
  const ask = deps.prompter;

  const dir = request.dir ?? (await ask.input({ message: 'Project folder', default: 'my-app', validate: notBlank }));
  const target = resolve(deps.cwd, dir);
  const targetState = await checkTarget(target, request.force);
  const name = await resolveName(request.name ?? basename(target), request.name !== undefined, deps);

  const template = await resolveTemplate(request, deps);
  try {
    const given = parseOptionAssignments(request.options);
    const options = resolveOptionValues(template.manifest.options, given, template.manifest.id);
    if (deps.interactive && !request.yes) {
      for (const option of template.manifest.options) {
        if (given[option.name] === undefined) options[option.name] = await askOption(option, ask);
      }
    }
    const packageManager = request.packageManager ?? detectPackageManager(deps.userAgent);
    // A --[no-]install / --[no-]git flag decides; otherwise yes, asked only when someone can answer.
    const decide = (flag: boolean | undefined, question: string) =>
      flag ?? (request.yes || !deps.interactive || request.dryRun ? true : ask.confirm({ message: question, default: true }));
    const install = await decide(request.install, `Install dependencies with ${packageManager}?`);
    const git = await decide(request.git, 'Initialize a git repository with a first commit?');
    return { target, targetState, name, template, options, install, git, packageManager };
  } catch (error) {
    await template.dispose();
    throw error;
  }
}

/** Without a person to ask, every missing input is reported in one error. */
function assertNothingMissing(request: CreateRequest, deps: InputDeps): void {
  const missing: string[] = [];
  if (!request.dir) missing.push('DIR');
  if (!request.pattern && !request.template) missing.push('--pattern');
  if (!missing.length) return;
  const ready = deps
    .catalog()
    .filter((p) => p.status === 'ready')
    .map((p) => p.manifest.id);
  throw new UsageError(
    'MISSING_INPUT',
    `Missing ${missing.join(' and ')}. sprout cannot ask for ${missing.length > 1 ? 'them' : 'it'}: this run is not interactive (no terminal, CI is set, --json or --no-interactive).`,
    {
      details: { missing },
      suggestions: [
        ...(missing.includes('DIR') ? ['Give the project folder as the first argument: sprout create my-app …'] : []),
        ...(missing.includes('--pattern')
          ? [`Give --pattern <id> (ready: ${ready.join(', ')}) or --template <folder | gh:owner/repo/dir#ref>.`]
          : []),
        `Example: ${EXAMPLE}`,
      ],
    },
  );
}

async function checkTarget(target: string, force: boolean): Promise<TargetState> {
  const state = await inspectTarget(target);
  if (state.kind === 'not-a-directory') {
    throw new PreconditionError('TARGET_NOT_A_DIRECTORY', `${target} exists and is a file, not a folder.`, {
      suggestions: ['Choose another project folder.'],
    });
  }
  if (state.kind === 'non-empty' && !force) {
    const shown = state.entries.slice(0, 5).join(', ') + (state.entries.length > 5 ? ', …' : '');
    throw new PreconditionError('DIR_NOT_EMPTY', `${target} is not empty (${shown}).`, {
      details: { entries: state.entries },
      suggestions: [
        'Choose a new or empty folder.',
        'Or add --force to write the project beside what is there; existing files are never overwritten.',
      ],
    });
  }
  return state;
}

async function resolveName(candidate: string, explicit: boolean, deps: InputDeps): Promise<string> {
  const check = checkPackageName(candidate);
  if (check.valid) return candidate;
  const suggestion = toPackageName(candidate);
  if (deps.interactive && !explicit) {
    return deps.prompter.input({ message: 'Package name', default: suggestion, validate: validName });
  }
  throw new UsageError('INVALID_NAME', `"${candidate}" is not a valid npm package name: ${check.problems.join('; ')}.`, {
    details: { name: candidate, problems: check.problems },
    suggestions: [`Use --name ${suggestion}`],
  });
}

function validName(value: string): true | string {
  const check = checkPackageName(value);
  return check.valid || check.problems.join('; ');
}

async function resolveTemplate(request: CreateRequest, deps: InputDeps): Promise<ResolvedTemplate> {
  if (request.template) return resolveOutsideTemplate(request.template, deps.cwd, deps.fetchTemplate);
  const catalog = deps.catalog();
  const id =
    request.pattern ??
    (await deps.prompter.search({
      message: 'Pattern (type to filter)',
      choices: catalog.map((p) => ({
        value: p.manifest.id,
        name: `${p.manifest.id.padEnd(18)} ${p.manifest.title}`,
        description: p.manifest.summary,
        keywords: [...p.manifest.tags, ...p.manifest.services].join(' '),
        disabled: p.status === 'planned' ? '(planned)' : false,
      })),
    }));
  const pattern = findPattern(catalog, id);
  assertReady(pattern, catalog);
  return { manifest: pattern.manifest, filesDir: pattern.filesDir, dispose: async () => {} };
}

async function askOption(option: TemplateOption, ask: Prompter): Promise<OptionValue> {
  if (option.type === 'boolean') return ask.confirm({ message: option.prompt, default: option.default });
  if (option.type === 'enum') {
    return ask.select({ message: option.prompt, choices: option.choices.map((c) => ({ value: c, name: c })), default: option.default });
  }
  const answer = await ask.input({
    message: option.prompt,
    default: String(option.default),
    validate: (value) => {
      const coerced = coerceOptionValue(option, value);
      return 'problem' in coerced ? coerced.problem : true;
    },
  });
  const coerced = coerceOptionValue(option, answer);
  return 'value' in coerced ? coerced.value : option.default;
}

function notBlank(value: string): true | string {
  return value.trim() ? true : 'Give a folder name, such as my-app.';
}

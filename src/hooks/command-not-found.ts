import { type Hook, toConfiguredId } from '@oclif/core';

import { UsageError } from '../core/errors.js';
import { nearest } from '../core/nearest.js';
import { errorEnvelope, formatHumanError } from '../ui/envelope.js';
import { isInteractive } from '../ui/interactive.js';

/**
 * "Did you mean …?" for a mistyped command. At a terminal it offers to run the suggestion;
 * anywhere else (CI, pipes, --json) it fails with a usage error (exit 2) that names it, so a
 * typo in a script is as easy to fix as one at the keyboard.
 */
const hook: Hook.CommandNotFound = async function (options) {
  const visible = options.config.commands.filter((command) => !command.hidden).map((command) => command.id);
  const { typed: typedId, suggestion, rest } = closestCommand(options.id, visible);
  const typed = toConfiguredId(typedId, options.config);
  const argv = [...rest, ...(options.argv ?? [])];
  const json = argv.includes('--json');
  const interactive = isInteractive({
    flag: argv.includes('--no-interactive') ? false : undefined,
    json,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    env: process.env,
  });

  if (suggestion && interactive) {
    const { confirm } = await import('@inquirer/prompts');
    const shown = toConfiguredId(suggestion, options.config);
    const run = await confirm({ message: `"${typed}" is not a sprout command. Did you mean "${shown}"?`, default: true }, { output: process.stderr }).catch(() => false);
    if (run) return options.config.runCommand(suggestion, argv);
  }

  const error = new UsageError('COMMAND_NOT_FOUND', `"${typed}" is not a sprout command.`, {
    suggestions: [
      ...(suggestion ? [`Did you mean "sprout ${toConfiguredId(suggestion, options.config)}"?`] : []),
      'Run "sprout help" to see every command.',
    ],
  });
  process.exitCode = error.exitCode;
  if (json) process.stdout.write(`${JSON.stringify(errorEnvelope(error), null, 2)}\n`);
  else process.stderr.write(`${formatHumanError(error)}\n`);
};

/**
 * oclif cannot tell "sprout craete my-app" from a command "craete:my-app", so the id may hold
 * arguments: the longest leading part of it that is close to a command is what was mistyped.
 */
function closestCommand(id: string, commands: string[]): { typed: string; suggestion?: string; rest: string[] } {
  const parts = id.split(':');
  for (let length = parts.length; length > 0; length--) {
    const typed = parts.slice(0, length).join(':');
    const [suggestion] = nearest(typed, commands, 1);
    if (suggestion) return { typed, suggestion, rest: parts.slice(length) };
  }
  return { typed: id, rest: [] };
}

export default hook;

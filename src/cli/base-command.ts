import { Command, Flags, ux } from '@oclif/core';
import type { Interfaces } from '@oclif/core';

import { toSproutError } from '../core/errors.js';
import { errorEnvelope, formatHumanError, successEnvelope } from '../ui/envelope.js';
import { isInteractive } from '../ui/interactive.js';
import { type Reporter, streamReporter } from '../ui/reporter.js';

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof SproutCommand)['baseFlags'] & T['flags']>;
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/** Flags for commands that change something. */
export const dryRunFlag = Flags.boolean({
  description: 'Show what would change and change nothing.',
  helpGroup: 'GLOBAL',
});

/**
 * What every sprout command shares: the JSON envelope, exit codes, warnings,
 * interactive detection and error rendering. A command parses, calls one
 * service function, renders and returns; it never calls process.exit.
 */
export abstract class SproutCommand<T extends typeof Command> extends Command {
  static enableJsonFlag = true;

  static baseFlags = {
    yes: Flags.boolean({
      char: 'y',
      description: 'Accept every default and skip confirmations.',
      helpGroup: 'GLOBAL',
    }),
    interactive: Flags.boolean({
      allowNo: true,
      description: 'Prompt for missing input. Default: only when stdin and stdout are a terminal and CI is unset.',
      helpGroup: 'GLOBAL',
    }),
  };

  protected flags!: CommandFlags<T>;
  protected args!: CommandArgs<T>;
  /** Exit status of a run that returns normally (0, or 68 for a partial success). */
  protected exitStatus = 0;
  private readonly warnings: string[] = [];
  private failed = false;

  async init(): Promise<void> {
    await super.init();
    const ctor = this.ctor as typeof SproutCommand;
    const { args, flags } = await this.parse({
      args: this.ctor.args,
      baseFlags: ctor.baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      flags: this.ctor.flags,
      strict: this.ctor.strict,
    });
    this.flags = flags as CommandFlags<T>;
    this.args = args as CommandArgs<T>;
  }

  protected get interactive(): boolean {
    return isInteractive({
      flag: this.flags.interactive,
      json: this.jsonEnabled(),
      stdinIsTTY: Boolean(process.stdin.isTTY),
      stdoutIsTTY: Boolean(process.stdout.isTTY),
      env: process.env,
    });
  }

  /** Progress and warnings for services: stderr, and warnings also land in the JSON envelope. */
  protected readonly reporter: Reporter = streamReporter(process.stderr, (message) => this.warnings.push(message));

  warn(input: string | Error): string | Error {
    this.reporter.warn(typeof input === 'string' ? input : input.message);
    return input;
  }

  protected toSuccessJson(result: unknown): unknown {
    return successEnvelope(result, this.warnings, this.exitStatus);
  }

  protected toErrorJson(error: unknown): unknown {
    return errorEnvelope(toSproutError(error));
  }

  /** One plain JSON document: no colours, whatever the terminal. */
  logJson(json: unknown): void {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  }

  async catch(error: Error & { exitCode?: number }): Promise<void> {
    this.failed = true;
    const sproutError = toSproutError(error);
    process.exitCode = sproutError.exitCode;
    if (this.jsonEnabled()) {
      this.logJson(errorEnvelope(sproutError));
      return;
    }
    process.stderr.write(`${formatHumanError(sproutError, (style, text) => ux.colorize(style, text))}\n`);
    if (process.env.DEBUG && sproutError.cause instanceof Error) process.stderr.write(`${sproutError.cause.stack}\n`);
  }

  async finally(error: Error | undefined): Promise<void> {
    if (!error && !this.failed) process.exitCode = this.exitStatus;
    await super.finally(error);
  }
}

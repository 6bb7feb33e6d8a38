import { Help } from '@oclif/core';
import type { Command } from '@oclif/core';

import { EXIT_CODE_HELP } from '../core/exit-codes.js';

/** oclif's help, plus the exit codes every command shares (DESIGN.md asks for them in --help). */
export default class SproutHelp extends Help {
  protected async showRootHelp(): Promise<void> {
    await super.showRootHelp();
    this.log(this.exitCodes());
  }

  protected formatCommand(command: Command.Loadable): string {
    return `${super.formatCommand(command)}\n\n${this.exitCodes()}`;
  }

  private exitCodes(): string {
    return this.section(
      'EXIT CODES',
      EXIT_CODE_HELP.map(([code, meaning]): [string, string] => [String(code), meaning]),
    );
  }
}

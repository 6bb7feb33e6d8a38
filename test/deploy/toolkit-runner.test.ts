import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { appCommand } from '../../src/deploy/toolkit-runner.js';
import { tempDir } from '../helpers/cli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  scratch = await tempDir();
});
afterEach(() => scratch.cleanup());

describe('appCommand', () => {
  it('runs the app the way its cdk.json says', async () => {
    await writeFile(join(scratch.path, 'cdk.json'), JSON.stringify({ app: 'npx tsx infra/app.ts', context: {} }));
    expect(appCommand(scratch.path)).toBe('npx tsx infra/app.ts');
  });

  it('refuses a folder without a CDK app (exit 3)', async () => {
    expect(() => appCommand(scratch.path)).toThrow(expect.objectContaining({ code: 'NO_CDK_APP', exitCode: 3 }));
    await mkdir(join(scratch.path, 'x'));
    await writeFile(join(scratch.path, 'x', 'cdk.json'), JSON.stringify({ context: {} }));
    expect(() => appCommand(join(scratch.path, 'x'))).toThrow(/has no "app" command/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { shortName } from '../../../src/commands/dev.js';
import { json, sprout, tempDir } from '../../helpers/cli.js';

describe('sprout dev (the command)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(() => dir.cleanup());

  it('outside a project: exit 3 and one JSON error saying how to get one', async () => {
    const run = await sprout(['dev', '--json'], { cwd: dir.path });
    expect(run.exitCode).toBe(3);
    expect(json(run)).toMatchObject({ status: 3, error: { code: 'NO_PROJECT', suggestions: [expect.stringContaining('sprout create')] } });
  });

  it('refuses a port out of range as a usage error', async () => {
    expect((await sprout(['dev', '--port', '70000'], { cwd: dir.path })).exitCode).toBe(2);
  });

  it('has help with examples and the flags', async () => {
    const help = await sprout(['dev', '--help']);
    expect(help.stdout).toContain('--watch');
    expect(help.stdout).toContain('--real-time');
    expect(help.stdout).toMatch(/EXAMPLES[\s\S]*sprout dev --watch --port 4000/);
  });

  it('logs a function by the name a person wrote, not CloudFormation’s', () => {
    expect(shortName('demo-local-CreateItemFunction4680EAD5')).toBe('CreateItemFunction');
    expect(shortName('cloudfront')).toBe('cloudfront');
    expect(shortName('orders-api')).toBe('orders-api');
  });
});

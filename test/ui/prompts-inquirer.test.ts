// Drives the real inquirer prompts through @inquirer/testing's virtual screen (this import
// mocks @inquirer/prompts for the whole file, so it must come before the code under test).
import { screen } from '@inquirer/testing/vitest';

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadCatalog } from '../../src/catalog/catalog.js';
import { createProject } from '../../src/scaffold/create.js';
import { ownDependencyVersions } from '../../src/scaffold/versions.js';
import { inquirerPrompter } from '../../src/ui/prompts.js';
import { plainTaskRunner } from '../../src/ui/tasks.js';
import { tempDir } from '../helpers/cli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  scratch = await tempDir();
});
afterEach(() => scratch.cleanup());

describe('sprout create at a terminal (real prompts, virtual screen)', () => {
  it('asks for the folder, offers a searchable pattern list with summaries, then asks each option', async () => {
    const running = createProject(
      { options: [], yes: false, install: false, git: false, force: false, dryRun: false },
      {
        cwd: scratch.path,
        interactive: true,
        prompter: inquirerPrompter(),
        catalog: () => loadCatalog(),
        fetchTemplate: () => Promise.reject(new Error('unused')),
        exec: () => Promise.reject(new Error('unused')),
        tasks: plainTaskRunner(() => {}),
        reporter: { info: () => {}, warn: () => {} },
        versions: ownDependencyVersions,
      },
    );

    await screen.next();
    expect(screen.getScreen()).toContain('Project folder');
    screen.type('shop');
    screen.keypress('enter');

    await screen.next();
    expect(screen.getScreen()).toContain('Pattern (type to filter)');
    screen.type('dynamodb crud');
    await screen.next();
    const filtered = screen.getScreen();
    expect(filtered).toContain('backend-api');
    expect(filtered).not.toContain('saga');
    // The highlighted choice shows its one-line summary.
    expect(filtered).toContain('REST API on API Gateway with one Lambda per business function');
    screen.keypress('enter');

    await screen.next();
    expect(screen.getScreen()).toContain('Stage throttling: steady requests per second?');
    screen.keypress('enter'); // default 100
    await screen.next();
    expect(screen.getScreen()).toContain('burst size');
    screen.type('0');
    screen.keypress('enter');
    await screen.next();
    expect(screen.getScreen()).toContain('must be at least 1');
    screen.keypress('backspace');
    screen.type('50');
    screen.keypress('enter');
    await screen.next();
    expect(screen.getScreen()).toContain('Default page size');
    screen.keypress('enter');
    await screen.next();
    expect(screen.getScreen()).toContain('Keep or delete the items table');
    screen.keypress('down');
    screen.keypress('enter');

    const { result } = await running;
    expect(result.pattern).toBe('backend-api');
    const config = JSON.parse(await readFile(join(scratch.path, 'shop', 'sprout.json'), 'utf8'));
    expect(config.options).toEqual({ throttleRateLimit: 100, throttleBurstLimit: 50, pageSize: 25, tableRemovalPolicy: 'destroy' });
  });

  it('shows planned patterns as not selectable', async () => {
    // Every catalog pattern is ready now: a made-up planned one, as create's picker would list it.
    const planned = { manifest: { id: 'later' } };
    const choice = inquirerPrompter().search({
      message: 'Pattern (type to filter)',
      choices: [
        { value: planned.manifest.id, name: planned.manifest.id, disabled: '(planned)' },
        { value: 'backend-api', name: 'backend-api' },
      ],
    });
    await screen.next();
    expect(screen.getScreen()).toMatch(new RegExp(`${planned.manifest.id}.*\\(planned\\)`));
    screen.keypress('enter');
    await expect(choice).resolves.toBe('backend-api');
  });
});

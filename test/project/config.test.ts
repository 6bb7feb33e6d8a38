import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { findProjectRoot, loadProjectConfig, saveProjectConfig } from '../../src/project/config-file.js';
import { parseConfigText } from '../../src/project/parse.js';
import { projectJsonSchema } from '../../src/project/schema.js';
import { repoRoot, tempDir } from '../helpers/cli.js';

const problems = (text: string) => {
  try {
    parseConfigText(text, 'sprout.json');
  } catch (error) {
    return { code: (error as { code: string }).code, exitCode: (error as { exitCode: number }).exitCode, list: (error as { details: { problems: unknown[] } }).details.problems, message: (error as Error).message };
  }
  return undefined;
};

describe('parseConfigText', () => {
  it('accepts a full workspace, with defaults filled in', () => {
    const config = parseConfigText(
      JSON.stringify({
        name: 'shop',
        pattern: 'microservices',
        stages: { local: {}, prod: { account: '222222222222', region: 'eu-west-1', profile: 'prod', domainLabel: '' } },
        domain: { name: 'example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', mode: 'subdomain' },
        services: { catalog: { path: 'services/catalog', pattern: 'backend-api', stages: { prod: { account: '444444444444' } } } },
        routes: { '/orders/*': 'new' },
      }),
      'sprout.json',
    );
    expect(config.defaultStage).toBe('local');
    expect(config.options).toEqual({});
    expect(config.services?.catalog?.stages?.prod?.account).toBe('444444444444');
    // Sections of a template's own (the strangler's route table) are kept.
    expect((config as Record<string, unknown>).routes).toEqual({ '/orders/*': 'new' });
  });

  it('names the field, what was expected and the line of each problem (exit 3)', () => {
    const text = [
      '{',
      '  "name": "shop",',
      '  "pattern": "microservices",',
      '  "stages": {',
      '    "local": {},',
      '    "prod": { "account": "12345", "region": "europe", "acount": "1" }',
      '  },',
      '  "services": {',
      '    "catalog": { "pattern": "backend-api" }',
      '  }',
      '}',
    ].join('\n');
    const result = problems(text)!;
    expect(result).toMatchObject({ code: 'CONFIG_INVALID', exitCode: 3 });
    expect(result.list).toEqual([
      { path: 'stages.prod.account', line: 6, message: 'expected a 12-digit AWS account id, such as "123456789012"' },
      { path: 'stages.prod.region', line: 6, message: 'expected an AWS region, such as "eu-west-1"' },
      { path: 'stages.prod.acount', line: 6, message: 'unknown field "acount"' },
      { path: 'services.catalog.path', line: 9, message: 'missing: expected string' },
    ]);
    expect(result.message).toContain('stages.prod.account (line 6): expected a 12-digit AWS account id');
  });

  it('reports a JSON syntax error with its line', () => {
    expect(problems('{\n  "name": "shop",\n  "stages": {,\n}')!.list[0]).toEqual({ path: '(syntax)', line: 3, message: 'invalid JSON: ValueExpected' });
  });

  it('refuses a default stage that is not a stage, and a service override for an unknown stage', () => {
    const result = problems(
      JSON.stringify({ name: 'x', pattern: 'p', stages: { local: {} }, defaultStage: 'dev', services: { a: { path: 'services/a', pattern: 'p', stages: { qa: {} } } } }),
    )!;
    expect(result.list.map((p: any) => p.path)).toEqual(['defaultStage', 'services.a.stages.qa']);
  });

  it('refuses a service folder outside the project and both a profile and a role', () => {
    const result = problems(
      JSON.stringify({ name: 'x', pattern: 'p', stages: { local: {}, dev: { profile: 'a', roleArn: 'arn:aws:iam::123456789012:role/r' } }, services: { a: { path: '../elsewhere', pattern: 'p' } } }),
    )!;
    expect(result.list.map((p: any) => [p.path, p.message])).toEqual([
      ['stages.dev', 'give profile or roleArn, not both'],
      ['services.a.path', 'expected a folder inside the project, such as "services/catalog"'],
    ]);
  });
});

describe('the JSON Schema for editors', () => {
  it('is generated from the zod schema and committed in step with it (npm run schema)', async () => {
    const committed = JSON.parse(await readFile(join(repoRoot, 'schemas', 'sprout.schema.json'), 'utf8'));
    expect(committed).toEqual(projectJsonSchema());
    expect(committed.required).toEqual(expect.arrayContaining(['name', 'pattern', 'stages']));
  });
});

describe('sprout.json on disk', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    scratch = await tempDir();
    await writeFile(join(scratch.path, 'sprout.json'), JSON.stringify({ name: 'shop', pattern: 'microservices', stages: { local: {} } }));
  });
  afterEach(() => scratch.cleanup());

  it('is found from any folder below the project', async () => {
    await mkdir(join(scratch.path, 'services', 'catalog', 'src'), { recursive: true });
    expect(findProjectRoot(join(scratch.path, 'services', 'catalog', 'src'))).toBe(scratch.path);
    expect(() => findProjectRoot('/')).toThrow(expect.objectContaining({ code: 'NO_PROJECT', exitCode: 3 }));
  });

  it('is saved whole, and only if nobody changed it since it was read (exit 4)', async () => {
    const loaded = await loadProjectConfig(scratch.path);
    const saved = await saveProjectConfig(loaded, { ...loaded.config, defaultStage: 'local', options: { a: 1 } });
    expect(JSON.parse(await readFile(join(scratch.path, 'sprout.json'), 'utf8')).options).toEqual({ a: 1 });
    // Someone edits the file after `saved` was read: the next save must not overwrite the edit.
    await writeFile(join(scratch.path, 'sprout.json'), JSON.stringify({ name: 'shop', pattern: 'microservices', stages: { local: {}, dev: {} } }));
    await expect(saveProjectConfig(saved, { ...saved.config, options: { b: 2 } })).rejects.toMatchObject({ code: 'CONFIG_CHANGED', exitCode: 4 });
    expect(JSON.parse(await readFile(join(scratch.path, 'sprout.json'), 'utf8')).stages.dev).toEqual({});
  });
});

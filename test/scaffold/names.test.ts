import { describe, expect, it } from 'vitest';

import { checkPackageName, toPackageName } from '../../src/scaffold/package-name.js';
import { detectPackageManager, runScript } from '../../src/scaffold/package-manager.js';

describe('checkPackageName', () => {
  it('accepts plain and scoped names', () => {
    expect(checkPackageName('my-app')).toEqual({ valid: true, problems: [] });
    expect(checkPackageName('@acme/orders-api').valid).toBe(true);
  });

  it('refuses names npm refuses, with npm\'s reason', () => {
    expect(checkPackageName('My App')).toMatchObject({ valid: false });
    expect(checkPackageName('My App').problems.join()).toMatch(/capital letters|URL-friendly/);
    expect(checkPackageName('.hidden').problems).toContain('name cannot start with a period');
    expect(checkPackageName('node_modules').valid).toBe(false);
    expect(checkPackageName('x'.repeat(215)).valid).toBe(false);
  });
});

describe('toPackageName', () => {
  it('turns what was typed into a valid name', () => {
    expect(toPackageName('My App!')).toBe('my-app');
    expect(toPackageName('  __Orders  API__ ')).toBe('orders-api__');
    expect(toPackageName('@Acme/My Shop')).toBe('@acme/my-shop');
    expect(toPackageName('!!!')).toBe('my-app');
    for (const raw of ['My App!', '@Acme/My Shop', '...dots', 'UPPER_case']) expect(checkPackageName(toPackageName(raw)).valid).toBe(true);
  });
});

describe('detectPackageManager', () => {
  it('reads the manager that ran sprout from npm_config_user_agent', () => {
    expect(detectPackageManager('pnpm/9.12.0 npm/? node/v20.19.0 linux x64')).toBe('pnpm');
    expect(detectPackageManager('yarn/4.5.0 npm/? node/v20.19.0 linux x64')).toBe('yarn');
    expect(detectPackageManager('bun/1.1.30 npm/? node/v22.6.0 linux x64')).toBe('bun');
    expect(detectPackageManager('npm/11.0.0 node/v20.19.0 linux x64')).toBe('npm');
  });

  it('falls back to npm', () => {
    expect(detectPackageManager(undefined)).toBe('npm');
    expect(detectPackageManager('cnpm/1.0.0')).toBe('npm');
  });
});

describe('runScript', () => {
  it('spells script runs the way each manager wants', () => {
    expect(runScript('npm', 'test')).toBe('npm test');
    expect(runScript('npm', 'synth')).toBe('npm run synth');
    expect(runScript('pnpm', 'synth')).toBe('pnpm synth');
    expect(runScript('yarn', 'test')).toBe('yarn test');
    expect(runScript('bun', 'test')).toBe('bun run test');
  });
});

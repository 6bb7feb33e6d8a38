import { describe, expect, it } from 'vitest';

import { isInteractive } from '../../src/ui/interactive.js';

const tty = { flag: undefined, json: false, stdinIsTTY: true, stdoutIsTTY: true, env: {} };

describe('isInteractive', () => {
  it('is interactive at a terminal with CI unset', () => {
    expect(isInteractive(tty)).toBe(true);
  });

  it('is not interactive when either end is not a terminal', () => {
    expect(isInteractive({ ...tty, stdinIsTTY: false })).toBe(false);
    expect(isInteractive({ ...tty, stdoutIsTTY: false })).toBe(false);
  });

  it('is not interactive in CI, but CI=false or CI=0 does not count', () => {
    expect(isInteractive({ ...tty, env: { CI: 'true' } })).toBe(false);
    expect(isInteractive({ ...tty, env: { CI: '1' } })).toBe(false);
    expect(isInteractive({ ...tty, env: { CI: 'false' } })).toBe(true);
    expect(isInteractive({ ...tty, env: { CI: '0' } })).toBe(true);
  });

  it('does not prompt in --json mode unless asked to', () => {
    expect(isInteractive({ ...tty, json: true })).toBe(false);
    expect(isInteractive({ ...tty, json: true, flag: true })).toBe(true);
  });

  it('obeys --interactive / --no-interactive over detection', () => {
    expect(isInteractive({ ...tty, flag: false })).toBe(false);
    expect(isInteractive({ ...tty, stdinIsTTY: false, env: { CI: 'true' }, flag: true })).toBe(true);
  });
});

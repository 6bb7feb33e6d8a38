import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import type { LocalFunction } from '../../../src/dev/lambda/index.js';
import type { Delivery, DevLogEvent } from '../../../src/dev/types.js';

/** Temporary code folders with hand-written handler files, removed by cleanup(). */
export class CodeDirs {
  private readonly root = mkdtempSync(join(tmpdir(), 'sprout-lambda-test-'));
  private count = 0;

  /** A folder with the given files (path → source). */
  make(files: Record<string, string>): string {
    const dir = join(this.root, `fn${++this.count}`);
    for (const [path, source] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), source);
    }
    return dir;
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export function localFunction(name: string, codeDir: string | undefined, overrides: Partial<LocalFunction> = {}): LocalFunction {
  return {
    stack: 'test',
    logicalId: name,
    name,
    arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    handler: 'index.handler',
    handlerModule: 'index',
    handlerExport: 'handler',
    runtime: 'nodejs24.x',
    codeDir,
    environment: {},
    unresolvedEnvironment: [],
    timeoutSeconds: 3,
    memoryMB: 128,
    logGroupName: `/aws/lambda/${name}`,
    edge: false,
    edgeEventTypes: [],
    internal: false,
    ...overrides,
  };
}

/** A DevLog that keeps every event. */
export function recordingLog(): { log: (event: DevLogEvent) => void; events: DevLogEvent[]; of(kind: DevLogEvent['kind'], source?: string): DevLogEvent[] } {
  const events: DevLogEvent[] = [];
  return {
    events,
    log: (event) => events.push(event),
    of: (kind, source) => events.filter((event) => event.kind === kind && (source === undefined || event.source === source)),
  };
}

/** A Deliver that records what was sent where. */
export function recordingDeliver(): { deliver: (arn: string, message: Delivery) => Promise<void>; sent: Array<{ arn: string; message: Delivery }> } {
  const sent: Array<{ arn: string; message: Delivery }> = [];
  return {
    sent,
    deliver: async (arn, message) => {
      sent.push({ arn, message });
    },
  };
}

/** Whether a process still runs (a zombie waiting to be reaped by init counts as ended). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

import { stripVTControlCharacters } from 'node:util';
import { join } from 'node:path';

import { SproutError } from '../core/errors.js';
import { appCommand } from '../deploy/toolkit-runner.js';

/** What esbuild prints on stderr for each handler bundle (the toolkit passes an app's stderr on as warnings). */
const BUNDLER_CHATTER = /^\s*(Bundling asset |\.\.\.\S+\s+[\d.]+[kmg]?b$|⚡ Done in |\S*\s*Done in \d+m?s$)/i;

/** Where `sprout dev` synthesizes: its own assembly, so it never races a deploy's cdk.out. */
export function devAssemblyDir(appDir: string): string {
  return join(appDir, '.sprout', 'dev', 'cdk.out');
}

/**
 * Synthesizes the app for a stage through the CDK Toolkit Library (no AWS call: the app's
 * stacks are environment-agnostic unless sprout.json pins them). The handler bundles land in the
 * assembly's asset folders, below the project, so their `@aws-sdk/*` imports resolve from the
 * project's node_modules as the Lambda runtime's own SDK would.
 */
export async function synthesizeForDev(appDir: string, stage: string, progress: (line: string) => void): Promise<string> {
  const lib = await import('@aws-cdk/toolkit-lib');
  const outdir = devAssemblyDir(appDir);
  const toolkit = new lib.Toolkit({
    color: false,
    emojis: false,
    ioHost: {
      notify: async (msg: { level: string; message: string }) => {
        if (msg.level !== 'warn' && msg.level !== 'error') return;
        for (const line of stripVTControlCharacters(msg.message).split('\n')) if (line.trim() && !BUNDLER_CHATTER.test(line)) progress(line.trimEnd());
      },
      requestResponse: async (msg: { defaultResponse?: unknown }) => msg.defaultResponse as never,
    },
  });
  try {
    const cx = await toolkit.fromCdkApp(appCommand(appDir), {
      workingDirectory: appDir,
      outdir,
      contextStore: new lib.CdkAppMultiContext(appDir, { stage }),
      resolveDefaultEnvironment: false,
    });
    const assembly = await toolkit.synth(cx);
    await assembly.dispose();
  } catch (error) {
    if (error instanceof SproutError) throw error;
    throw new SproutError('SYNTH_FAILED', `The app in ${appDir} did not synthesize: ${(error as Error).message}`, {
      cause: error,
      suggestions: ['Run `npx cdk synth` in the project to see the whole error, fix it, and start `sprout dev` again (with --watch it retries on the next change).'],
    });
  }
  return outdir;
}

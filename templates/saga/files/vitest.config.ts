import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Promise.withResolvers for aws-local-stepfunctions on Node 20, and the SDK mock matchers.
    setupFiles: ['test/setup.ts'],
    // The first synth bundles six functions with esbuild; dynalite starts in-process.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

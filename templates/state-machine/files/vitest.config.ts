import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // aws-local-stepfunctions 3 calls Promise.withResolvers, which Node.js has only from 22 on;
    // the environment is what the stack gives every task function.
    setupFiles: ['test/setup/promise-with-resolvers.ts', 'test/setup/environment.ts'],
    // The first synth bundles the task functions with esbuild.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

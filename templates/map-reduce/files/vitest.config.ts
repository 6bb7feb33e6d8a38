import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // What the stack gives the functions, with S3 pointed at s3rver (started per test file).
    setupFiles: ['test/setup/environment.ts'],
    // The first synth bundles the functions with esbuild; s3rver starts in-process.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

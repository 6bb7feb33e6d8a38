import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The first synth bundles both functions with esbuild; s3rver starts in-process.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

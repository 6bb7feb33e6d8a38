import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // The first synth bundles the aggregator with esbuild; kinesalite and dynalite start in-process.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The first synth bundles the consumer with esbuild; kinesalite and dynalite start in-process.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

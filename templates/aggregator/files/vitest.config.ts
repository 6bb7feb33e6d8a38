import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The first synth bundles two functions with esbuild; the fan-out tests wait on real delays.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Lab tests share one machine's namespaces and /nix; they serialise themselves via a lock,
    // the rest run in parallel across the two cores.
    pool: 'forks',
  },
});

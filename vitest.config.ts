import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/src/**/*.test.ts', '**/tests/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    // Each integration file starts the whole system on the real MariaDB and Redis: two at a time on two cores.
    pool: 'forks',
    maxWorkers: 2,
    // Memory-ceiling tests collect garbage before they measure.
    execArgv: ['--expose-gc'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

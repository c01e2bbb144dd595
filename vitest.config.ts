import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node (and tsx, which `npm start` runs) loads graphql's CommonJS entry, as Apollo's packages do;
    // Vite would pick its ESM build for our sources, and a schema from one copy fails instanceof checks in the other.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
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

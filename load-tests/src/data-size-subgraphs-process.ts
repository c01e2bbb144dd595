/**
 * Child process of the mix and data-size benchmarks: the five subgraphs on the real MariaDB
 * and Redis, serving the world BENCH_WORLD names (data-size-worlds.ts). `test` and `default`
 * run as subgraphs-process.ts runs them: seeded under a prefix of their own, dropped on close.
 * `scale` serves the kept world under KEPT_PREFIX as it is: the parent has checked it is
 * complete, nothing is seeded, and nothing is dropped on close.
 *
 * Beside the subgraphs it serves each subgraph's SQL statement count (Db.statementCount, what
 * packages/system/tests/sql-count.test.ts reads) as JSON on a port of its own, so that the
 * parent can tell statements per request. Reports `{ urls, statementsUrl, prefix }`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, readSharedConfig, SUBGRAPH_NAMES, World, type SubgraphName } from '@ordergraph/common';
import { startSystem, type RunningSystem } from '@ordergraph/system';
import { startTestSystem, TEST_JWT_SECRET, TEST_MYSQL_URL, TEST_REDIS_URL } from '@ordergraph/testkit';
import { runAsChild } from './child-process.js';
import { KEPT_PREFIX, parseWorldName, WORLD_VARIABLE, WORLDS } from './data-size-worlds.js';

export interface BenchSubgraphsReady {
  /** Subgraph name → its GraphQL endpoint. */
  readonly urls: Readonly<Record<string, string>>;
  /** GET: `{ store: n, … }`, the statements each subgraph has run for requests so far. */
  readonly statementsUrl: string;
  /** The databases' and Redis keys' prefix. */
  readonly prefix: string;
}

export type StatementCounts = Record<SubgraphName, number>;

// As in subgraphs-process.ts: runAsChild, not each Apollo Server, handles SIGINT and SIGTERM.
process.env['NODE_ENV'] = 'test';

/**
 * Production's pool size, as in subgraphs-process.ts: the tests' 5 would make the order
 * subgraph queue on MySQL connections at the mix's concurrency, and the benchmark measure that.
 */
const MYSQL_POOL_SIZE = '10';

/** The kept world's subgraphs on their existing databases, closed without dropping anything. */
async function startKeptSystem(): Promise<RunningSystem> {
  const env = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    JWT_SECRET: TEST_JWT_SECRET,
    MYSQL_URL: TEST_MYSQL_URL,
    MYSQL_DATABASE_PREFIX: KEPT_PREFIX,
    MYSQL_POOL_SIZE,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: KEPT_PREFIX,
  };
  const level = process.env['TEST_LOG_LEVEL'] ?? 'silent';
  return startSystem({
    config: readSharedConfig(env),
    env,
    logFor: (name) => createLogger(name, level),
    ports: { gateway: 0, store: 0, menu: 0, user: 0, order: 0, rider: 0 },
    route: (_name, listening) => listening,
    // Only seeds a subgraph whose tables are empty, which the parent's check has ruled out.
    world: new World(WORLDS.scale),
  });
}

await runAsChild<BenchSubgraphsReady>(async () => {
  const worldName = parseWorldName(process.env[WORLD_VARIABLE]);
  const { system, prefix } = worldName === 'scale'
    ? { system: await startKeptSystem(), prefix: KEPT_PREFIX }
    : await startTestSystem({ world: WORLDS[worldName], env: { MYSQL_POOL_SIZE } }).then((fresh) => ({ system: fresh, prefix: fresh.prefix }));
  const counts = createServer((_request, response) => {
    const body: StatementCounts = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, system.subgraphs[name].deps.db.statementCount])) as StatementCounts;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => counts.listen(0, '127.0.0.1', resolve));
  const { port } = counts.address() as AddressInfo;
  const urls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `${system.subgraphs[name].server.origin}/graphql`]));
  return {
    ready: { urls, statementsUrl: `http://127.0.0.1:${port}/`, prefix },
    close: async () => {
      counts.closeAllConnections();
      await new Promise<void>((resolve) => counts.close(() => resolve()));
      await system.close();
    },
    // As in subgraphs-process.ts: peers' keep-alive sockets in this process would hold close() up.
    endConnections: () => {
      for (const name of SUBGRAPH_NAMES) system.subgraphs[name].server.server.closeAllConnections();
      system.gateway.server.closeAllConnections();
    },
  };
});

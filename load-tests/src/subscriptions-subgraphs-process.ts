/**
 * Child process of the subscriptions benchmark: the five subgraphs as subgraphs-process.ts
 * starts them, on a world with as many stores as BENCH_WORLD_STORES asks for. It also reports
 * what the benchmark's gateway needs to read the same order events stream (the Redis key
 * prefix of this run), and the test system's own gateway, through which the benchmark places
 * and accepts its orders so that the measured gateway does subscription work alone.
 */
import { SUBGRAPH_NAMES } from '@ordergraph/common';
import { startTestSystem, TEST_REDIS_URL, TEST_WORLD } from '@ordergraph/testkit';
import { runAsChild } from './child-process.js';

export interface SubscriptionSubgraphsReady {
  /** Subgraph name → its GraphQL endpoint. */
  readonly urls: Readonly<Record<string, string>>;
  /** The test system's own gateway: where the orders are placed and accepted. */
  readonly ordersGatewayUrl: string;
  /** Where the order events stream lives: REDIS_URL and REDIS_KEY_PREFIX for another gateway. */
  readonly redisUrl: string;
  readonly redisKeyPrefix: string;
}

/**
 * Stores in the seeded world (every tenth is closed), set by subscriptions.ts. Not exported:
 * importing a value from this file would run the child in the parent.
 */
const WORLD_STORES_VARIABLE = 'BENCH_WORLD_STORES';

// As in subgraphs-process.ts: runAsChild, not each Apollo Server, handles SIGINT and SIGTERM.
process.env['NODE_ENV'] = 'test';

await runAsChild<SubscriptionSubgraphsReady>(async () => {
  const stores = Number(process.env[WORLD_STORES_VARIABLE] ?? TEST_WORLD.stores);
  if (!Number.isInteger(stores) || stores < 1) throw new Error(`${WORLD_STORES_VARIABLE} must be a positive integer; got ${JSON.stringify(process.env[WORLD_STORES_VARIABLE])}`);
  const system = await startTestSystem({
    world: { ...TEST_WORLD, stores },
    env: {
      // Production's pool size, as in subgraphs-process.ts: placements and accepts must not queue on MySQL connections.
      MYSQL_POOL_SIZE: '10',
      // Generous budgets, as bench:events has them: a slow fetch on two busy cores shows as latency, not as a lost order.
      SUBGRAPH_TIMEOUT_MS: '5000',
      PEER_TIMEOUT_MS: '5000',
      REQUEST_DEADLINE_MS: '10000',
    },
  });
  const urls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `${system.subgraphs[name].server.origin}/graphql`]));
  return {
    ready: { urls, ordersGatewayUrl: system.url, redisUrl: TEST_REDIS_URL, redisKeyPrefix: system.prefix },
    close: () => system.close(),
    endConnections: () => {
      for (const name of SUBGRAPH_NAMES) system.subgraphs[name].server.server.closeAllConnections();
      system.gateway.server.closeAllConnections();
    },
  };
});

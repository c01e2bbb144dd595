import { batches, type SubgraphModule, type World } from '@ordergraph/common';
import type { UserContext } from './context.js';
import { createLoaders } from './loaders.js';
import { startPrecomputedConsumer } from './precomputed/consumer.js';
import { userRuntime } from './runtime.js';
import { migrations } from './migrations.js';
import { resolvers } from './resolvers.js';
import { insertUsers } from './store/users.js';

/** Rows per seeding round; insertMany splits further where an engine needs it. */
const SEED_BATCH_ROWS = 2_000;

/** Users: names and phones, and the values derived from their orders. Owner-only beyond the name. */
export const userSubgraph: SubgraphModule<UserContext> = {
  name: 'user',
  migrations,
  isEmpty: async ({ db }) => (await db.query('SELECT id FROM users LIMIT 1')).length === 0,
  seed: async ({ db }, world: World) => {
    for (const batch of batches(world.users(), SEED_BATCH_ROWS)) await insertUsers(db, batch);
  },
  clear: async ({ db }) => void (await db.execute('DELETE FROM users')),
  create: (deps) => {
    const { db, peers, log } = deps;
    const runtime = userRuntime(deps);
    return {
      name: 'user',
      schemaPath: new URL('./schema.graphql', import.meta.url),
      resolvers,
      createContext: (base) => ({ ...base, db, peers, loaders: createLoaders(db, runtime, base.authorization, log) }),
      isReady: async () => (await db.query('SELECT 1 AS ok')).length === 1,
    };
  },
  startBackground: (deps) =>
    startPrecomputedConsumer({
      stream: deps.events,
      store: userRuntime(deps).store,
      log: deps.log,
      claimIdleMs: deps.config.eventClaimIdleMs,
      registry: deps.metrics,
    }),
};

export { rebuildPrecomputed } from './precomputed/rebuild.js';
export { startPrecomputedConsumer } from './precomputed/consumer.js';
export { userRuntime } from './runtime.js';

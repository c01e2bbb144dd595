import type { SubgraphModule } from '@ordergraph/common';
import type { OrderContext } from './context.js';
import { startRelay } from './events/relay.js';
import { createLoaders } from './loaders.js';
import { migrations } from './migrations.js';
import { resolvers } from './resolvers.js';
import { clearOrders, seedOrders } from './seed.js';

/** Orders: the lifecycle, fees, history and the outbox of order events. The one subgraph an order view needs. */
export const orderSubgraph: SubgraphModule<OrderContext> = {
  name: 'order',
  migrations,
  isEmpty: async ({ db }) => (await db.query('SELECT id FROM orders LIMIT 1')).length === 0,
  seed: ({ db }, world) => seedOrders(db, world),
  clear: ({ db }) => clearOrders(db),
  create: ({ db, peers }) => ({
    name: 'order',
    schemaPath: new URL('./schema.graphql', import.meta.url),
    resolvers,
    createContext: (base) => ({ ...base, db, peers, loaders: createLoaders(db, peers, base.authorization) }),
    isReady: async () => (await db.query('SELECT 1 AS ok')).length === 1,
  }),
  startBackground: ({ db, events, log }) => startRelay({ db, stream: events, log }),
};

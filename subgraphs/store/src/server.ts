import { batches, type SubgraphModule, type World } from '@ordergraph/common';
import type { StoreContext } from './context.js';
import { createLoaders } from './loaders.js';
import { migrations } from './migrations.js';
import { resolvers } from './resolvers.js';
import { insertStores } from './store/stores.js';

/** Stores: names, addresses, opening, fees and where they are. Public reads only. */
export const storeSubgraph: SubgraphModule<StoreContext> = {
  name: 'store',
  migrations,
  isEmpty: async ({ db }) => (await db.query('SELECT id FROM stores LIMIT 1')).length === 0,
  seed: async ({ db }, world: World) => {
    for (const batch of batches(world.stores(), 2_000)) await insertStores(db, batch);
  },
  clear: async ({ db }) => void (await db.execute('DELETE FROM stores')),
  create: ({ db }) => ({
    name: 'store',
    schemaPath: new URL('./schema.graphql', import.meta.url),
    resolvers,
    createContext: (base) => ({ ...base, db, loaders: createLoaders(db) }),
    isReady: async () => (await db.query('SELECT 1 AS ok')).length === 1,
  }),
};

import type { SubgraphModule } from '@ordergraph/common';
import type { RiderContext } from './context.js';
import { createLoaders } from './loaders.js';
import { openLocationStore } from './locations/index.js';
import { migrations } from './migrations.js';
import { openRiderMoves } from './moves/index.js';
import { resolvers } from './resolvers.js';
import { clearRiders, seedRiders } from './seed.js';

/** Riders, their deliveries and where they are. Order state itself belongs to the order subgraph. */
export const riderSubgraph: SubgraphModule<RiderContext> = {
  name: 'rider',
  migrations,
  isEmpty: async ({ db }) => (await db.query('SELECT id FROM riders LIMIT 1')).length === 0,
  seed: seedRiders,
  clear: clearRiders,
  create: ({ db, redis, peers, events, log }) => {
    const locations = openLocationStore({ db, redis });
    const moves = openRiderMoves({ db, redis, events, log });
    return {
      name: 'rider',
      schemaPath: new URL('./schema.graphql', import.meta.url),
      resolvers,
      createContext: (base) => ({ ...base, db, locations, moves, peers, log, loaders: createLoaders(db, locations) }),
      // The database only: without Redis only locations go missing, and every replica shares it,
      // so taking them all out of rotation would lose the rest too.
      isReady: async () => (await db.query('SELECT 1 AS ok')).length === 1,
    };
  },
};

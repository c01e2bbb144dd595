import { batches, type SubgraphModule, type World, type WorldMenuItem } from '@ordergraph/common';
import type { MenuContext } from './context.js';
import { createLoaders } from './loaders.js';
import { migrations } from './migrations.js';
import { resolvers } from './resolvers.js';
import { insertMenuItems } from './store/menu-items.js';

/** Rows per seeding round: a few stores' menus at once, and insertMany splits further where an engine needs it. */
const SEED_BATCH_ROWS = 2_000;

/** Menus: items, prices and availability per store. Public reads only. */
export const menuSubgraph: SubgraphModule<MenuContext> = {
  name: 'menu',
  migrations,
  isEmpty: async ({ db }) => (await db.query('SELECT id FROM menu_items LIMIT 1')).length === 0,
  seed: async ({ db }, world: World) => {
    for (const batch of batches(allMenuItems(world), SEED_BATCH_ROWS)) await insertMenuItems(db, batch);
  },
  clear: async ({ db }) => void (await db.execute('DELETE FROM menu_items')),
  create: ({ db }) => ({
    name: 'menu',
    schemaPath: new URL('./schema.graphql', import.meta.url),
    resolvers,
    createContext: (base) => ({ ...base, db, loaders: createLoaders(db) }),
    isReady: async () => (await db.query('SELECT 1 AS ok')).length === 1,
  }),
};

/** Every store's menu as one stream, so that batches span stores instead of one INSERT per store. */
function* allMenuItems(world: World): Generator<WorldMenuItem> {
  for (let storeIndex = 1; storeIndex <= world.size.stores; storeIndex++) yield* world.menu(storeIndex);
}

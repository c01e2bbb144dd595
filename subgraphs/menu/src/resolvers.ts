import { money, type Resolvers } from '@ordergraph/common';
import type { MenuContext } from './context.js';
import type { MenuItemRecord } from './store/menu-items.js';

/** The Store entity as this subgraph knows it: only its id, from which its menu follows. */
interface StoreRef {
  readonly id: string;
}

export const resolvers: Resolvers<MenuContext> = {
  Query: {
    menuItem: (_root, { id }: { id: string }, { loaders }) => loaders.menuItemById.load(id),
  },
  Store: {
    // Stores live in the store subgraph; whether this one exists is not ours to check, and an unknown id has an empty menu.
    __resolveReference: ({ id }: StoreRef): StoreRef => ({ id }),
    menu: ({ id }: StoreRef, _args: unknown, { loaders }: MenuContext) => loaders.menuByStoreId.load(id),
  },
  MenuItem: {
    __resolveReference: ({ id }: { id: string }, { loaders }: MenuContext) => loaders.menuItemById.load(id),
    price: (item: MenuItemRecord) => money(item.price),
    store: (item: MenuItemRecord): StoreRef => ({ id: item.storeId }),
  },
};

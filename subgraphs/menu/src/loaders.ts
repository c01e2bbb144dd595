import DataLoader from 'dataloader';
import type { Queryable } from '@ordergraph/common';
import { findMenuItemsByIds, findMenuItemsByStoreIds, type MenuItemRecord } from './store/menu-items.js';

export interface Loaders {
  /** Key i gets the item with id keys[i], or null when there is none. */
  readonly menuItemById: DataLoader<string, MenuItemRecord | null>;
  /** Key i gets the menu of store keys[i] in position order; empty when the store has none. */
  readonly menuByStoreId: DataLoader<string, readonly MenuItemRecord[]>;
}

/** Made once per request: batches every item and every menu lookup of the request into one statement each. */
export function createLoaders(db: Queryable): Loaders {
  return {
    menuItemById: new DataLoader(async (ids) => {
      const byId = new Map((await findMenuItemsByIds(db, ids)).map((item) => [item.id, item]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    menuByStoreId: new DataLoader(async (storeIds) => {
      const byStore = new Map<string, MenuItemRecord[]>();
      // Rows arrive in position order per store, so appending keeps each menu in order.
      for (const item of await findMenuItemsByStoreIds(db, storeIds)) {
        const menu = byStore.get(item.storeId);
        if (menu) menu.push(item);
        else byStore.set(item.storeId, [item]);
      }
      return storeIds.map((id) => byStore.get(id) ?? []);
    }),
  };
}

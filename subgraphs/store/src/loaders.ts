import DataLoader from 'dataloader';
import type { Queryable } from '@ordergraph/common';
import { findStoresByIds, type StoreRecord } from './store/stores.js';

export interface Loaders {
  /** Key i gets the store with id keys[i], or null when there is none. */
  readonly storeById: DataLoader<string, StoreRecord | null>;
}

/** Made once per request: batches every store lookup of the request into one statement. */
export function createLoaders(db: Queryable): Loaders {
  return {
    storeById: new DataLoader(async (ids) => {
      const byId = new Map((await findStoresByIds(db, ids)).map((s) => [s.id, s]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}

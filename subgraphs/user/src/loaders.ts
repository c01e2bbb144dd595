import DataLoader from 'dataloader';
import type { GraphQLClient, Queryable } from '@ordergraph/common';
import { loadOrderStats, type OrderStats } from './precomputed/order-stats.js';
import { findUsersByIds, type UserRecord } from './store/users.js';

export interface Loaders {
  /** Key i gets the user with id keys[i], or null when there is none. */
  readonly userById: DataLoader<string, UserRecord | null>;
  /** Key i gets the order stats of user keys[i]; a failed lookup rejects that key (or the whole batch). */
  readonly orderStatsByUserId: DataLoader<string, OrderStats>;
}

/**
 * Made once per request: batches every user lookup into one statement and every stats
 * lookup into one order-subgraph call, made with the caller's own authorization.
 */
export function createLoaders(db: Queryable, order: GraphQLClient, authorization: string | undefined): Loaders {
  return {
    userById: new DataLoader(async (ids) => {
      const byId = new Map((await findUsersByIds(db, ids)).map((u) => [u.id, u]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    orderStatsByUserId: new DataLoader((ids) => loadOrderStats(order, ids, authorization)),
  };
}

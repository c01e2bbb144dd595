import DataLoader from 'dataloader';
import type { Peers, Queryable } from '@ordergraph/common';
import { findHistoryByOrderIds, findItemsByOrderIds, findOrdersByIds, findStatsByUserIds } from './store/orders.js';
import type { OrderItemRecord, OrderRecord, OrderStatsRecord, StatusChangeRecord } from './store/records.js';

export interface Loaders {
  /** Key i gets the order with id keys[i], or null. Pages prime it, so a listed order is not read twice. */
  readonly orderById: DataLoader<string, OrderRecord | null>;
  /** Key i gets order keys[i]'s lines in line order. */
  readonly itemsByOrderId: DataLoader<string, OrderItemRecord[]>;
  /** Key i gets order keys[i]'s status changes, oldest first. */
  readonly historyByOrderId: DataLoader<string, StatusChangeRecord[]>;
  /** Key i tells whether store keys[i] exists, as the store subgraph says. */
  readonly storeExists: DataLoader<string, boolean>;
  /** Key i gets user keys[i]'s stats; a user who never ordered has zeros. */
  readonly statsByUserId: DataLoader<string, OrderStatsRecord>;
}

function groupBy<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const list = groups.get(key(row));
    if (list) list.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}

/** Made once per request: one statement per entity type, whatever the length of the lists asked for. */
export function createLoaders(db: Queryable, peers: Peers, authorization: string | undefined): Loaders {
  return {
    storeExists: new DataLoader(async (ids) => {
      const data = await peers.store.requestData<{ _entities: Array<{ id: string } | null> }>(
        'query StoreExists($r: [_Any!]!) { _entities(representations: $r) { ... on Store { id } } }',
        { r: ids.map((id) => ({ __typename: 'Store', id })) },
        { authorization },
      );
      return ids.map((_, i) => data._entities[i] !== null && data._entities[i] !== undefined);
    }),
    orderById: new DataLoader(async (ids) => {
      const byId = new Map((await findOrdersByIds(db, ids)).map((o) => [o.id, o]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    itemsByOrderId: new DataLoader(async (ids) => {
      const groups = groupBy(await findItemsByOrderIds(db, ids), (row) => row.orderId);
      return ids.map((id) => groups.get(id) ?? []);
    }),
    historyByOrderId: new DataLoader(async (ids) => {
      const groups = groupBy(await findHistoryByOrderIds(db, ids), (row) => row.orderId);
      return ids.map((id) => groups.get(id) ?? []);
    }),
    statsByUserId: new DataLoader(async (ids) => {
      const byId = new Map((await findStatsByUserIds(db, ids)).map((s) => [s.userId, s]));
      return ids.map((id) => byId.get(id) ?? { userId: id, activeOrders: 0, waivedTotal: 0, version: 0 });
    }),
  };
}

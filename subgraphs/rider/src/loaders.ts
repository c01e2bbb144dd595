import DataLoader from 'dataloader';
import type { Queryable } from '@ordergraph/common';
import type { LatLng, LocationStore } from './locations/index.js';
import { findDeliveriesByOrderIds, type DeliveryRecord } from './store/deliveries.js';
import { findRidersByIds, type RiderRecord } from './store/riders.js';

export interface Loaders {
  /** Key i gets the delivery of order keys[i], or null when no rider has taken it. */
  readonly deliveryByOrderId: DataLoader<string, DeliveryRecord | null>;
  /** Key i gets the rider with id keys[i], or null when there is none. */
  readonly riderById: DataLoader<string, RiderRecord | null>;
  /** Key i gets the last known location of rider keys[i], or null. */
  readonly locationByRiderId: DataLoader<string, LatLng | null>;
}

/** Made once per request: a list of 100 orders costs one statement (or one GEOPOS) per loader. */
export function createLoaders(db: Queryable, locations: LocationStore): Loaders {
  return {
    deliveryByOrderId: new DataLoader(async (orderIds) => {
      const byOrderId = new Map((await findDeliveriesByOrderIds(db, orderIds)).map((d) => [d.orderId, d]));
      return orderIds.map((id) => byOrderId.get(id) ?? null);
    }),
    riderById: new DataLoader(async (ids) => {
      const byId = new Map((await findRidersByIds(db, ids)).map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    // The store already answers key-for-key.
    locationByRiderId: new DataLoader((ids) => locations.get(ids)),
  };
}

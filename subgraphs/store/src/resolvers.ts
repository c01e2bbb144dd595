import { checkPageSize, codedError, ErrorCode, haversineMeters, isValidCoordinate, money, type Resolvers } from '@ordergraph/common';
import type { StoreContext } from './context.js';
import { findOpenStoresNear, type StoreRecord } from './store/stores.js';

/** nearbyStores looks this far: a delivery radius, and a bound on how much of the table one query reads. */
const NEARBY_RADIUS_M = 10_000;

type NearbyStore = StoreRecord & { distanceMeters?: number };

export const resolvers: Resolvers<StoreContext> = {
  Query: {
    store: (_root, { id }: { id: string }, { loaders }) => loaders.storeById.load(id),
    nearbyStores: async (_root, { lat, lng, first }: { lat: number; lng: number; first: number }, { db }) => {
      if (!isValidCoordinate(lat, lng)) {
        throw codedError(ErrorCode.BAD_USER_INPUT, `lat must be within ±90 and lng within ±180; got (${lat}, ${lng}).`);
      }
      checkPageSize(first);
      const stores = await findOpenStoresNear(db, lat, lng, NEARBY_RADIUS_M, first);
      return stores
        .map((s): NearbyStore => ({ ...s, distanceMeters: Math.round(haversineMeters(lat, lng, s.lat, s.lng)) }))
        .sort((a, b) => a.distanceMeters! - b.distanceMeters! || a.id.localeCompare(b.id));
    },
  },
  Store: {
    __resolveReference: ({ id }: { id: string }, { loaders }: StoreContext) => loaders.storeById.load(id),
    location: (s: StoreRecord) => ({ lat: s.lat, lng: s.lng }),
    deliveryFee: (s: StoreRecord) => money(s.deliveryFee),
    minOrder: (s: StoreRecord) => money(s.minOrder),
    freeDeliveryThreshold: (s: StoreRecord) => (s.freeDeliveryThreshold === null ? null : money(s.freeDeliveryThreshold)),
    distanceMeters: (s: NearbyStore) => s.distanceMeters ?? null,
  },
};

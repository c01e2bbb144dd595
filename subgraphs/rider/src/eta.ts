import { haversineMeters } from '@ordergraph/common';
import type { LatLng } from './locations/index.js';

/** An e-bike in city traffic, lights and lifts included: 15 km/h. */
export const RIDER_SPEED_M_PER_MIN = 250;
/**
 * Store to door, once the food is on the bike: most orders come from within 3 km
 * (12 min at RIDER_SPEED_M_PER_MIN), plus a few minutes to hand it over.
 */
export const DELIVERY_LEG_MINUTES = 15;
/** When the rider's or the store's position is unknown: a typical whole delivery. */
export const DEFAULT_ETA_MINUTES = 30;

/** Minutes until the customer has the food: ride to the store, then the delivery leg. */
export function estimateEtaMinutes(rider: LatLng | null, store: LatLng | null): number {
  if (!rider || !store) return DEFAULT_ETA_MINUTES;
  const toStoreM = haversineMeters(rider.lat, rider.lng, store.lat, store.lng);
  return Math.ceil(toStoreM / RIDER_SPEED_M_PER_MIN) + DELIVERY_LEG_MINUTES;
}

/** What the seeded deliveries show: the world records times, not estimates. */
export const SEEDED_ETA_MINUTES = { ASSIGNED: 20, PICKED_UP: 12, DELIVERED: 0 } as const;

import type { OrderStats } from './order-stats.js';

/** A customer's precomputed values. */
export interface PrecomputedValues {
  readonly activeOrders: number;
  readonly waivedDeliveryFeeTotal: number;
}

/** One PLACED or CANCELLED event, as it changes a customer's values. */
export interface StatsDelta {
  readonly userId: string;
  readonly eventId: string;
  /** The customer's stats version the event produced. */
  readonly version: number;
  readonly activeOrders: 1 | -1;
  readonly waivedDeliveryFeeTotal: number;
}

/**
 * Where precomputed values live (Redis; an in-process map on the embedded default).
 *
 * Each customer has values with a floor version: the MySQL stats they were loaded from. A
 * delta is applied once (deduplicated on its eventId) and only if its version is above the
 * floor; one that arrives while the values are absent is remembered, and added when they are
 * loaded, if the snapshot does not already include it. So deltas may arrive late, twice, or
 * out of order, and values loaded from MySQL at any moment still come out exact.
 */
export interface PrecomputedStore {
  /** The values held for each id; an id without values is absent from the map. */
  get(ids: readonly string[]): Promise<Map<string, PrecomputedValues>>;
  /** True when this delta changed something (false: a duplicate, or already in the floor). */
  apply(delta: StatsDelta): Promise<boolean>;
  /**
   * Sets a customer's values from a MySQL snapshot plus the deltas seen after it. `fill` only
   * where no values are held; `rebuild` also replaces held values unless they are newer.
   */
  load(userId: string, snapshot: OrderStats, mode: 'fill' | 'rebuild'): Promise<void>;
}

/** Deltas remembered per customer for deduplication; a redelivery older than this many later events is not expected. */
export const DELTAS_KEPT_PER_USER = 256;

/**
 * A customer's remembered deltas expire this long after the last one: twice the stream's
 * retention, so that no redelivery can outlive them, and Redis holds deltas only for
 * customers who ordered lately. (A delta that expired unapplied is in any later MySQL snapshot.)
 */
export const DELTAS_TTL_MS = 2 * 60 * 60 * 1_000;

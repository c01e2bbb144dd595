import { randomUUID } from 'node:crypto';
import type { EventStream, Logger, Queryable, RiderMovedEvent } from '@ordergraph/common';
import { findActiveDeliveries } from '../store/deliveries.js';
import type { MoveThrottle } from './move-throttle.js';

/**
 * While Redis is down every location update fails to publish; one line per this many ms says
 * so (with how many failures it stands for) instead of one per update from every rider on duty.
 */
const WARN_INTERVAL_MS = 30_000;

export interface RiderMovesOptions {
  readonly db: Queryable;
  readonly events: EventStream;
  readonly throttle: MoveThrottle;
  readonly log: Logger;
}

/**
 * Tells the stream where a rider is, once per order the rider is delivering, for the customers
 * following those orders. Best effort: a position is superseded by the next one a few seconds
 * later, so a failure is logged and dropped, never the caller's problem.
 */
export class RiderMoves {
  private lastWarnMs = Number.NEGATIVE_INFINITY;
  private unreportedFailures = 0;

  constructor(private readonly options: RiderMovesOptions) {}

  /** Never rejects. */
  async publish(riderId: string, lat: number, lng: number): Promise<void> {
    const atMs = Date.now();
    try {
      const deliveries = await findActiveDeliveries(this.options.db, riderId);
      if (deliveries.length === 0) return;
      const allowed = await this.options.throttle.take(deliveries.map((d) => d.orderId));
      const events = deliveries
        .filter((_, i) => allowed[i])
        .map((d): RiderMovedEvent => ({ eventId: randomUUID(), type: 'RIDER_MOVED', orderId: d.orderId, storeId: d.storeId, userId: d.userId, riderId, atMs, lat, lng }));
      if (events.length > 0) await this.options.events.publish(events);
    } catch (error) {
      this.failed(error, riderId);
    }
  }

  /** Logs the first failure of each WARN_INTERVAL_MS and counts the rest into the next line. */
  private failed(error: unknown, riderId: string): void {
    const nowMs = Date.now();
    if (nowMs - this.lastWarnMs < WARN_INTERVAL_MS) {
      this.unreportedFailures++;
      return;
    }
    this.options.log.warn(
      { err: error, riderId, failuresSinceLastWarning: this.unreportedFailures },
      'RIDER_MOVED not published; the location itself was saved, and the next update tries again',
    );
    this.lastWarnMs = nowMs;
    this.unreportedFailures = 0;
  }
}

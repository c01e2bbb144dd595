import type { SubgraphDeps } from '@ordergraph/common';

type Redis = NonNullable<SubgraphDeps['redis']>;

/**
 * One RIDER_MOVED per order a second is all a map on a customer's screen can use; riders send
 * every few seconds, so this mostly stops a client that sends in a tight loop from flooding
 * the stream and every gateway replica that reads it.
 */
export const RIDER_MOVED_INTERVAL_MS = 1_000;

/** Under the configured key prefix; one key per order, gone by itself after the interval. */
const KEY_PREFIX = 'rider:moved:';

/** Says which orders may have a RIDER_MOVED now, and takes their slot for the next interval. */
export interface MoveThrottle {
  /** Key i is true when orderIds[i] may publish; rejects when the throttle cannot be asked (Redis down). */
  take(orderIds: readonly string[]): Promise<boolean[]>;
}

/** Shared by every rider replica: SET NX with an expiry lets exactly one of them through per interval. */
export class RedisMoveThrottle implements MoveThrottle {
  constructor(private readonly redis: Redis) {}

  async take(orderIds: readonly string[]): Promise<boolean[]> {
    if (orderIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const orderId of orderIds) pipeline.set(`${KEY_PREFIX}${orderId}`, '1', 'PX', RIDER_MOVED_INTERVAL_MS, 'NX');
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0];
    return orderIds.map((_, i) => results[i]?.[1] === 'OK');
  }
}

/** Without Redis there is one rider replica (the embedded default), so its own memory is enough. */
export class MemoryMoveThrottle implements MoveThrottle {
  /** Order id → when its slot frees up. */
  private readonly until = new Map<string, number>();
  private nextSweepMs = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async take(orderIds: readonly string[]): Promise<boolean[]> {
    const nowMs = this.now();
    this.sweep(nowMs);
    return orderIds.map((orderId) => {
      if ((this.until.get(orderId) ?? 0) > nowMs) return false;
      this.until.set(orderId, nowMs + RIDER_MOVED_INTERVAL_MS);
      return true;
    });
  }

  /** Forgets expired slots once an interval, so that delivered orders do not stay in the map for good. */
  private sweep(nowMs: number): void {
    if (nowMs < this.nextSweepMs) return;
    this.nextSweepMs = nowMs + RIDER_MOVED_INTERVAL_MS;
    for (const [orderId, untilMs] of this.until) if (untilMs <= nowMs) this.until.delete(orderId);
  }
}

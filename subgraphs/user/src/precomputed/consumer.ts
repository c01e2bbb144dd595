import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { startConsumer, type EventStream, type Logger, type RunningConsumer, type StreamEvent } from '@ordergraph/common';
import { EVENT_METRIC, LATENCY_BUCKETS_S } from '@ordergraph/telemetry';
import { Histogram, type Registry } from 'prom-client';
import type { PrecomputedStore, StatsDelta } from './store.js';

export const PRECOMPUTED_GROUP = 'user-precomputed';

/** What an event does to its customer's values: placing adds, cancelling takes back, the rest leave them. */
export function deltaOf(event: StreamEvent): StatsDelta | null {
  // A rider's position changes no customer's values, and carries no userVersion.
  if (event.type === 'RIDER_MOVED' || event.userVersion === null) return null;
  if (event.type === 'PLACED') {
    return { userId: event.userId, eventId: event.eventId, version: event.userVersion, activeOrders: 1, waivedDeliveryFeeTotal: event.deliveryFeeWaived };
  }
  if (event.type === 'CANCELLED') {
    return { userId: event.userId, eventId: event.eventId, version: event.userVersion, activeOrders: -1, waivedDeliveryFeeTotal: -event.deliveryFeeWaived };
  }
  return null;
}

export interface PrecomputedConsumerOptions {
  readonly stream: EventStream;
  readonly store: PrecomputedStore;
  readonly log: Logger;
  /** Defaults to one unique per process. */
  readonly consumer?: string;
  /** How long another consumer's unacknowledged entries wait before this one takes them over. */
  readonly claimIdleMs?: number;
  /** Where the commit-to-apply lag is recorded. */
  readonly registry?: Registry;
}

/** Keeps the precomputed values up to date from the order events; several may run, in any process. */
export function startPrecomputedConsumer(options: PrecomputedConsumerOptions): RunningConsumer {
  const lag = options.registry ? consumerLagHistogram(options.registry) : null;
  return startConsumer(options.stream, {
    // Rider movements pass through this group unused: the lag is that of the order events it applies.
    ...(lag ? { onApplied: (event: StreamEvent) => event.type !== 'RIDER_MOVED' && lag.observe({ group: PRECOMPUTED_GROUP }, Math.max(0, Date.now() - event.atMs) / 1_000) } : {}),
    group: PRECOMPUTED_GROUP,
    consumer: options.consumer ?? `user-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    log: options.log,
    ...(options.claimIdleMs !== undefined ? { claimIdleMs: options.claimIdleMs } : {}),
    handle: async (event) => {
      const delta = deltaOf(event);
      if (delta) await options.store.apply(delta);
    },
  });
}

/** One per registry: a consumer restarted in the same process (after a crash, in tests) records into the same histogram. */
function consumerLagHistogram(registry: Registry): Histogram<'group'> {
  const existing = registry.getSingleMetric(EVENT_METRIC.consumerLag);
  if (existing) return existing as Histogram<'group'>;
  return new Histogram({
    name: EVENT_METRIC.consumerLag,
    help: "From an order event's commit to its consumer applying it, seconds",
    labelNames: ['group'],
    buckets: LATENCY_BUCKETS_S,
    registers: [registry],
  });
}

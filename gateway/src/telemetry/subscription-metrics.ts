import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { LABEL, LATENCY_BUCKETS_S, SUBSCRIPTION_METRIC } from '@ordergraph/telemetry';

/** What the subscription server reports on /metrics. */
export class SubscriptionMetrics {
  readonly connections: Gauge;
  readonly active: Gauge<typeof LABEL.field>;
  readonly delivered: Counter<typeof LABEL.field>;
  readonly deliveryLag: Histogram<typeof LABEL.field>;
  readonly closed: Counter<typeof LABEL.reason>;
  readonly refused: Counter<typeof LABEL.code>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.connections = new Gauge({ name: SUBSCRIPTION_METRIC.connections, help: 'Open subscription connections (after connection_init)', registers });
    this.active = new Gauge({ name: SUBSCRIPTION_METRIC.active, help: 'Active subscriptions', labelNames: [LABEL.field], registers });
    this.delivered = new Counter({ name: SUBSCRIPTION_METRIC.delivered, help: 'Events handed to subscribers', labelNames: [LABEL.field], registers });
    this.deliveryLag = new Histogram({
      name: SUBSCRIPTION_METRIC.deliveryLag,
      help: "From an event's commit to its hand-off to the subscriber's socket, seconds",
      labelNames: [LABEL.field],
      buckets: LATENCY_BUCKETS_S,
      registers,
    });
    this.closed = new Counter({ name: SUBSCRIPTION_METRIC.closed, help: 'Connections the gateway closed, by reason', labelNames: [LABEL.reason], registers });
    this.refused = new Counter({ name: SUBSCRIPTION_METRIC.refused, help: 'Subscriptions refused at subscribe, by contract code', labelNames: [LABEL.code], registers });
  }
}

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EntityCacheCounters } from '../execution/entity-cache.js';
import type { PolicyEvents, SubgraphPolicy } from '../resilience/policy.js';
import { BREAKER_STATE_VALUE, CACHE_METRIC, LABEL, LATENCY_BUCKETS_S, METRIC } from '@ordergraph/telemetry';

/** The gateway's Prometheus registry and the instruments the fetch path and policies feed. */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly policies = new Map<string, SubgraphPolicy>();

  readonly subgraphDuration = new Histogram({
    name: METRIC.subgraphRequestDuration,
    help: 'Gateway to subgraph HTTP attempts, seconds',
    labelNames: [LABEL.subgraph, LABEL.status],
    buckets: LATENCY_BUCKETS_S,
    registers: [this.registry],
  });
  readonly subgraphErrors = new Counter({
    name: METRIC.subgraphErrors,
    help: 'Subgraph fetches that failed, by contract error code',
    labelNames: [LABEL.subgraph, LABEL.code],
    registers: [this.registry],
  });
  private readonly retries = new Counter({
    name: METRIC.subgraphRetries,
    help: 'Retried query fetches',
    labelNames: [LABEL.subgraph],
    registers: [this.registry],
  });
  readonly dedupJoined = new Counter({
    name: METRIC.subgraphDedupJoined,
    help: 'Query fetches served by an identical one already in flight',
    labelNames: [LABEL.subgraph],
    registers: [this.registry],
  });
  readonly operationsPlanned = new Counter({
    name: METRIC.operationsPlanned,
    help: 'Distinct operations planned, by the executor that runs them',
    labelNames: [LABEL.executor],
    registers: [this.registry],
  });
  /** Entities read from the gateway's entity cache, by subgraph and result (hit, miss). */
  readonly entityCacheReads = new Counter({
    name: CACHE_METRIC.reads,
    help: 'Cache reads by cache and result: hit, miss',
    labelNames: ['cache', 'result'],
    registers: [this.registry],
  });
  private readonly rejected = new Counter({
    name: METRIC.bulkheadRejected,
    help: 'Fetches refused at once because the bulkhead and its queue were full',
    labelNames: [LABEL.subgraph],
    registers: [this.registry],
  });
  private readonly transitions = new Counter({
    name: METRIC.breakerTransitions,
    help: 'Circuit breaker state changes',
    labelNames: [LABEL.subgraph, LABEL.state],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const policies = this.policies;
    const gauge = (name: string, help: string, read: (policy: SubgraphPolicy) => number) =>
      new Gauge({
        name,
        help,
        labelNames: [LABEL.subgraph],
        registers: [this.registry],
        collect() {
          for (const [subgraph, policy] of policies) this.set({ [LABEL.subgraph]: subgraph }, read(policy));
        },
      });
    gauge(METRIC.bulkheadInFlight, 'Fetches in flight to the subgraph', (p) => p.inFlight);
    gauge(METRIC.bulkheadQueued, 'Fetches waiting for a bulkhead slot', (p) => p.queued);
    gauge(METRIC.breakerState, 'Circuit state: 0 closed, 1 half-open, 2 open', (p) => BREAKER_STATE_VALUE[p.breakerState]);
  }

  /** The policy events, fed into counters. */
  readonly policyEvents: PolicyEvents = {
    onRetry: (subgraph) => this.retries.inc({ [LABEL.subgraph]: subgraph }),
    onBulkheadReject: (subgraph) => this.rejected.inc({ [LABEL.subgraph]: subgraph }),
    onBreakerStateChange: (subgraph, state) => this.transitions.inc({ [LABEL.subgraph]: subgraph, [LABEL.state]: state }),
  };

  /** The entity cache's hits and misses, as `entity:<subgraph>` in the cache-reads counter. */
  entityCacheCounters(): EntityCacheCounters {
    const reads = this.entityCacheReads;
    const count = (result: 'hit' | 'miss') => (subgraph: string, n: number) => {
      if (n > 0) reads.inc({ cache: `entity:${subgraph}`, result }, n);
    };
    return { hit: count('hit'), miss: count('miss') };
  }

  watchPolicy(subgraph: string, policy: SubgraphPolicy): void {
    this.policies.set(subgraph, policy);
  }
}

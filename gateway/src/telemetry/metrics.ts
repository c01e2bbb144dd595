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
  readonly subgraphErrors = this.counter(METRIC.subgraphErrors, 'Subgraph fetches that failed, by contract error code', [LABEL.subgraph, LABEL.code]);
  private readonly retries = this.counter(METRIC.subgraphRetries, 'Retried query fetches', [LABEL.subgraph]);
  readonly dedupJoined = this.counter(METRIC.subgraphDedupJoined, 'Query fetches served by an identical one already in flight', [LABEL.subgraph]);
  readonly operationsPlanned = this.counter(METRIC.operationsPlanned, 'Distinct operations planned, by the executor that runs them', [LABEL.executor]);
  /** Entities read from the gateway's entity cache, by subgraph and result (hit, miss). */
  readonly entityCacheReads = this.counter(CACHE_METRIC.reads, 'Cache reads by cache and result: hit, miss', ['cache', 'result']);
  private readonly rejected = this.counter(METRIC.bulkheadRejected, 'Fetches refused at once because the bulkhead and its queue were full', [LABEL.subgraph]);
  private readonly transitions = this.counter(METRIC.breakerTransitions, 'Circuit breaker state changes', [LABEL.subgraph, LABEL.state]);

  private counter(name: string, help: string, labelNames: string[]): Counter<string> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

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

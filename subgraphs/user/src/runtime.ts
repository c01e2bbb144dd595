import type { SubgraphDeps } from '@ordergraph/common';
import { CACHE_METRIC } from '@ordergraph/telemetry';
import { Counter } from 'prom-client';
import { MemoryPrecomputedStore } from './precomputed/memory-store.js';
import { RedisPrecomputedStore } from './precomputed/redis-store.js';
import type { PrecomputedStore } from './precomputed/store.js';
import { createPrecomputedReader, type PrecomputedReader } from './precomputed/values.js';
import { MemoryProfileCache, RedisProfileCache, type ProfileCache } from './store/profile-cache.js';

/** What the user subgraph keeps beside its database: one set per boot, shared by serving and the consumer. */
export interface UserRuntime {
  readonly store: PrecomputedStore;
  readonly profiles: ProfileCache;
  readonly precomputed: PrecomputedReader;
  /** Profile cache reads by result: hit, miss, error. */
  readonly profileReads: Counter<'cache' | 'result'>;
}

const runtimes = new WeakMap<SubgraphDeps, UserRuntime>();

/** Redis when configured; the in-process stand-ins on the embedded default. */
export function userRuntime(deps: SubgraphDeps): UserRuntime {
  let runtime = runtimes.get(deps);
  if (!runtime) {
    const store = deps.redis ? new RedisPrecomputedStore(deps.redis) : new MemoryPrecomputedStore();
    runtime = {
      store,
      profiles: deps.redis ? new RedisProfileCache(deps.redis) : new MemoryProfileCache(),
      precomputed: createPrecomputedReader(store, deps.peers.order, deps.metrics, deps.log),
      profileReads: new Counter({
        name: CACHE_METRIC.reads,
        help: 'Cache reads by cache and result: hit, miss, error',
        labelNames: ['cache', 'result'],
        registers: [deps.metrics],
      }),
    };
    runtimes.set(deps, runtime);
  }
  return runtime;
}

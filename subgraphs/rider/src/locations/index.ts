import type { SubgraphDeps } from '@ordergraph/common';
import type { LocationStore } from './location-store.js';
import { RedisLocationStore } from './redis-location-store.js';
import { SqlLocationStore } from './sql-location-store.js';

export * from './location-store.js';

/** Redis GEO when the deployment has Redis, else the riders table. */
export function openLocationStore(deps: Pick<SubgraphDeps, 'db' | 'redis'>): LocationStore {
  return deps.redis ? new RedisLocationStore(deps.redis) : new SqlLocationStore(deps.db);
}

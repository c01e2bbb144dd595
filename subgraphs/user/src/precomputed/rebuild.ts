import { secretKey, signToken, type SubgraphDeps } from '@ordergraph/common';
import { userRuntime } from '../runtime.js';
import { loadOrderStats } from './order-stats.js';

/** Users per round: one keyset page of ids, one call to the order subgraph, one Redis round trip per user. */
const REBUILD_BATCH = 500;

/**
 * Recomputes every user's precomputed values from the order subgraph's MySQL stats (through
 * its API, as a service) and writes them over what the store holds, keeping any delta
 * applied after the snapshot. Safe while consumers run. Returns how many users it wrote.
 */
export async function rebuildPrecomputed(deps: SubgraphDeps): Promise<number> {
  const { store } = userRuntime(deps);
  const token = await signToken({ role: 'service', sub: 'rebuild-precomputed' }, secretKey(deps.config.jwtSecret), '10m');
  const authorization = `Bearer ${token}`;
  let after = '';
  let written = 0;
  for (;;) {
    const rows = await deps.db.query<{ id: string }>('SELECT id FROM users WHERE id > ? ORDER BY id LIMIT ?', [after, REBUILD_BATCH]);
    if (rows.length === 0) return written;
    const ids = rows.map((row) => row.id);
    const stats = await loadOrderStats(deps.peers.order, ids, authorization);
    for (const [i, id] of ids.entries()) {
      const snapshot = stats[i]!;
      if (snapshot instanceof Error) throw snapshot;
      await store.load(id, snapshot, 'rebuild');
      written++;
    }
    after = ids.at(-1)!;
  }
}

import { Counter, type Registry } from 'prom-client';
import { PRECOMPUTED_METRIC } from '@ordergraph/common';
import type { GraphQLClient, Logger } from '@ordergraph/common';
import { loadOrderStats } from './order-stats.js';
import type { PrecomputedStore, PrecomputedValues } from './store.js';

export type PrecomputedReadResult = 'hit' | 'fill' | 'fallback';

export interface PrecomputedReader {
  /** Key i gets user ids[i]'s values, or the error that kept them from being known. */
  read(ids: readonly string[], authorization: string | undefined): Promise<Array<PrecomputedValues | Error>>;
}

/**
 * Precomputed values, read without touching MySQL while the store answers. A customer the
 * store holds nothing for is computed by the order subgraph (its API, never its tables) and
 * filled in; when the store is down, every read is computed that way, and counted, and the
 * store fills again once it is back.
 */
export function createPrecomputedReader(store: PrecomputedStore, order: GraphQLClient, registry: Registry, log: Logger): PrecomputedReader {
  const reads = new Counter({
    name: PRECOMPUTED_METRIC.reads,
    help: 'Precomputed value reads: hit (from the store), fill (computed and stored), fallback (store unavailable, computed)',
    labelNames: ['result'],
    registers: [registry],
  });
  return {
    async read(ids, authorization) {
      let held = new Map<string, PrecomputedValues>();
      let storeUp = true;
      try {
        held = await store.get(ids);
      } catch (error) {
        storeUp = false;
        log.warn({ err: error }, 'precomputed store unavailable: computing from the order subgraph');
      }
      const missing = ids.filter((id) => !held.has(id));
      reads.inc({ result: 'hit' }, ids.length - missing.length);
      if (missing.length === 0) return ids.map((id) => held.get(id)!);

      const computed = await loadOrderStats(order, missing, authorization);
      const byId = new Map<string, PrecomputedValues | Error>();
      await Promise.all(
        missing.map(async (id, i) => {
          const stats = computed[i]!;
          byId.set(id, stats);
          if (stats instanceof Error) return;
          reads.inc({ result: storeUp ? 'fill' : 'fallback' });
          if (storeUp) await store.load(id, stats, 'fill').catch((error: unknown) => log.warn({ err: error }, 'precomputed fill failed'));
        }),
      );
      return ids.map((id) => held.get(id) ?? byId.get(id)!);
    },
  };
}

import type { FetchNode } from '@apollo/query-planner';
import { LRUCache } from 'lru-cache';

export interface EntityCacheOptions {
  /** Subgraphs whose entities are the same for every caller (they read no principal): only theirs are kept. */
  readonly subgraphs: readonly string[];
  /** How long an entity is served from the cache: the most it can lag behind its subgraph. */
  readonly ttlMs: number;
  readonly maxEntries: number;
}

export interface EntityCacheCounters {
  hit(subgraph: string, count: number): void;
  miss(subgraph: string, count: number): void;
}

/**
 * Entities of public subgraphs (store, menu), kept in process for a short time: an order view
 * asks for the same stores and menu items again and again at lunch peak, and each answer is the
 * same for every caller. Keyed by the entity fetch (its operation, so its selection) and the
 * representation; stored as JSON, so that no response ever shares an object with the cache.
 * Only fetches that read nothing but representations are cached, and only entities whose
 * fetch reported no error for them.
 */
export class EntityCache {
  private readonly subgraphs: ReadonlySet<string>;
  private readonly entries: LRUCache<string, string>;
  private readonly fetchIds = new WeakMap<FetchNode, string>();
  private nextFetchId = 0;
  private readonly counters: EntityCacheCounters | undefined;

  constructor(options: EntityCacheOptions, counters?: EntityCacheCounters) {
    this.subgraphs = new Set(options.subgraphs);
    this.entries = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs });
    this.counters = counters;
  }

  /** Whether this fetch's entities may be cached: a public subgraph, no variables but the representations. */
  covers(fetch: FetchNode): boolean {
    return this.subgraphs.has(fetch.serviceName) && !!fetch.requires && !fetch.variableUsages?.length;
  }

  /** Each representation's cached entity (parsed afresh), or undefined where there is none. */
  lookup(fetch: FetchNode, representationKeys: readonly string[]): Array<Record<string, unknown> | undefined> {
    const prefix = this.prefixOf(fetch);
    let hits = 0;
    const found = representationKeys.map((key) => {
      const cached = this.entries.get(prefix + key);
      if (cached === undefined) return undefined;
      hits++;
      return JSON.parse(cached) as Record<string, unknown>;
    });
    this.counters?.hit(fetch.serviceName, hits);
    this.counters?.miss(fetch.serviceName, representationKeys.length - hits);
    return found;
  }

  store(fetch: FetchNode, representationKey: string, entity: Record<string, unknown>): void {
    this.entries.set(this.prefixOf(fetch) + representationKey, JSON.stringify(entity));
  }

  private prefixOf(fetch: FetchNode): string {
    let id = this.fetchIds.get(fetch);
    if (id === undefined) this.fetchIds.set(fetch, (id = `${this.nextFetchId++}\n`));
    return id;
  }
}

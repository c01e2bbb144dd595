import { Redis } from 'ioredis';
import type { SharedConfig, SubgraphName } from './config.js';
import { migrate, openEmbedded, openMysql, type Db, type Migrations } from './db/index.js';
import type { Logger } from './logger.js';
import type { Peers } from './peers.js';
import type { World } from './seed/world.js';
import type { BaseContext, SubgraphDefinition } from './subgraph-server.js';

/** What a subgraph is built from; tests pass their own (a counting Db, peers on random ports). */
export interface SubgraphDeps {
  readonly db: Db;
  /** Null on the embedded default and wherever REDIS_URL is unset. */
  readonly redis: Redis | null;
  readonly peers: Peers;
  readonly log: Logger;
}

/** One subgraph, as the launcher, the seed tool and the tests see it. */
export interface SubgraphModule<Context extends BaseContext = BaseContext> {
  readonly name: SubgraphName;
  readonly migrations: Migrations;
  /** True when this subgraph's own tables hold no data yet. */
  isEmpty(deps: SubgraphDeps): Promise<boolean>;
  /** Fills this subgraph's own tables (and Redis keys) with its slice of `world`. */
  seed(deps: SubgraphDeps, world: World): Promise<void>;
  /** Empties this subgraph's own tables (and Redis keys), for a reseed. */
  clear(deps: SubgraphDeps): Promise<void>;
  create(deps: SubgraphDeps): SubgraphDefinition<Context>;
}

/** The subgraph's own database: `<prefix><name>` on MYSQL_URL, or an embedded one; migrated. */
export async function openSubgraphDb(config: Pick<SharedConfig, 'mysql'>, module: { readonly name: SubgraphName; readonly migrations: Migrations }): Promise<Db> {
  const db = config.mysql
    ? await openMysql({
        url: config.mysql.url,
        database: `${config.mysql.databasePrefix}${module.name}`,
        connectionLimit: config.mysql.poolSize,
      })
    : await openEmbedded();
  await migrate(db, module.name, module.migrations);
  return db;
}

/** A Redis client that queues nothing while Redis is down: callers fall back at once instead of waiting. */
export function openRedis(url: string | null, keyPrefix = ''): Redis | null {
  if (!url) return null;
  return new Redis(url, {
    keyPrefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // Reconnect quickly but not in a tight loop while Redis is away.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    lazyConnect: false,
  });
}

/** Long enough for a local or same-zone Redis to accept a connection. */
const REDIS_CONNECT_WAIT_MS = 5_000;

/**
 * openRedis queues nothing while connecting, so whatever must write at start (a seed) waits
 * for the connection here first, or fails loudly after `timeoutMs`.
 */
export async function redisReady(redis: Redis, timeoutMs = REDIS_CONNECT_WAIT_MS): Promise<void> {
  if (redis.status === 'ready') return;
  let onReady: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      onReady = resolve;
      redis.once('ready', onReady);
      timer = setTimeout(() => reject(new Error(`Redis did not accept a connection within ${timeoutMs} ms`)), timeoutMs);
    });
  } finally {
    clearTimeout(timer);
    if (onReady) redis.off('ready', onReady);
  }
}

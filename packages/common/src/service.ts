import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { SharedConfig, SubgraphName } from './config.js';
import { migrate, openEmbedded, openMysql, type Db, type Migrations } from './db/index.js';
import type { Logger } from './logger.js';
import type { Peers } from './peers.js';
import type { EventStream } from './events/stream.js';
import type { World } from './seed/world.js';
import type { BaseContext, SubgraphDefinition } from './subgraph-server.js';

/** What a subgraph is built from; tests pass their own (a counting Db, peers on random ports). */
export interface SubgraphDeps {
  readonly config: SharedConfig;
  readonly db: Db;
  /** Null on the embedded default and wherever REDIS_URL is unset. */
  readonly redis: Redis | null;
  readonly peers: Peers;
  /** The order events stream: Redis Streams, or the in-process stand-in on the embedded default. */
  readonly events: EventStream;
  /** The subgraph's Prometheus registry, served at its /metrics. */
  readonly metrics: Registry;
  readonly log: Logger;
}

/** Work a subgraph runs beside serving (the outbox relay, event consumers). */
export interface BackgroundWork {
  stop(): Promise<void>;
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
  /** Starts the subgraph's background work, if it has any; stopped before the subgraph closes. */
  startBackground?(deps: SubgraphDeps): BackgroundWork;
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


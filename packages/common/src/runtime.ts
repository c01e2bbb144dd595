import { DEFAULT_PORTS, readSharedConfig, type SharedConfig } from './config.js';
import type { RunningServer } from './http-server.js';
import { createLogger, type Logger } from './logger.js';
import { closePeers, createPeers, type Peers } from './peers.js';
import { secretKey } from './principal.js';
import { World } from './seed/world.js';
import { openRedis, openSubgraphDb, redisReady, type SubgraphDeps, type SubgraphModule } from './service.js';
import { startSubgraphServer, type BaseContext } from './subgraph-server.js';

export interface BootedSubgraph {
  readonly deps: SubgraphDeps;
  readonly server: RunningServer;
  close(): Promise<void>;
}

export interface BootOptions {
  readonly config: SharedConfig;
  readonly port: number;
  readonly log: Logger;
  /** Defaults to clients on the configured addresses. */
  readonly peers?: Peers;
  /** Seed `world` (the demo world by default) when this subgraph's tables are empty. */
  readonly seedIfEmpty: boolean;
  readonly world?: World;
}

/** Opens a subgraph's database (and Redis), seeds it when asked and empty, and serves it. */
export async function bootSubgraph<Context extends BaseContext>(module: SubgraphModule<Context>, options: BootOptions): Promise<BootedSubgraph> {
  const { config, log } = options;
  const db = await openSubgraphDb(config, module);
  const redis = openRedis(config.redisUrl, config.redisKeyPrefix);
  const ownPeers = !options.peers;
  const peers = options.peers ?? createPeers(config);
  const deps: SubgraphDeps = { db, redis, peers, log };
  // Serving goes on without Redis (callers fall back); seeding into it cannot.
  const redisDown = redis
    ? await redisReady(redis).then(() => null, (error: unknown) => (log.warn({ err: error }, 'Redis is not reachable yet'), error))
    : null;
  if (options.seedIfEmpty && (await module.isEmpty(deps))) {
    if (redisDown) throw redisDown;
    const started = Date.now();
    await module.seed(deps, options.world ?? new World());
    log.info({ ms: Date.now() - started }, `${module.name}: seeded the demo world`);
  }
  const server = await startSubgraphServer(module.create(deps), {
    host: config.host,
    port: options.port,
    jwtKey: secretKey(config.jwtSecret),
    log,
  });
  return {
    deps,
    server,
    close: async () => {
      await server.close();
      if (ownPeers) await closePeers(peers);
      redis?.disconnect();
      await db.close();
    },
  };
}

/** A subgraph's standalone entry point: config from the environment, then listen until signalled. */
export async function runSubgraph<Context extends BaseContext>(module: SubgraphModule<Context>): Promise<void> {
  const config = readSharedConfig(process.env);
  const log = createLogger(module.name);
  const port = Number(process.env['PORT'] ?? DEFAULT_PORTS[module.name]);
  const booted = await bootSubgraph(module, {
    config,
    port,
    log,
    // The demo world is for trying the system out: on by default outside production, SEED_DEMO_DATA=true|false decides.
    seedIfEmpty: process.env['SEED_DEMO_DATA'] ? process.env['SEED_DEMO_DATA'] === 'true' : !config.production,
  });
  closeOnSignal(log, booted.close);
}

/** Ends the process cleanly on SIGTERM or SIGINT: stop accepting, finish in-flight requests, close pools. */
export function closeOnSignal(log: Logger, close: () => Promise<void>): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

import { collectDefaultMetrics, Registry } from 'prom-client';
import { readTelemetryConfig, startTracing } from '@ordergraph/telemetry';
import { DEFAULT_PORTS, readSharedConfig, type SharedConfig } from './config.js';
import type { RunningServer } from './http-server.js';
import { createLogger, type Logger } from './logger.js';
import { closePeers, createPeers, type Peers } from './peers.js';
import { secretKey } from './principal.js';
import { World } from './seed/world.js';
import { openRedis, redisReady } from './redis.js';
import { openSubgraphDb, type SubgraphDeps, type SubgraphModule } from './service.js';
import { startSubgraphServer, type BaseContext } from './subgraph-server.js';
import { MemoryEventStream, RedisEventStream, type EventStream } from './events/index.js';
import type { BackgroundWork } from './service.js';

export interface BootedSubgraph {
  readonly deps: SubgraphDeps;
  readonly server: RunningServer;
  /** The running background work; tests stop and restart it (a crashed relay, a killed consumer). */
  background: BackgroundWork | null;
  close(): Promise<void>;
}

export interface BootOptions {
  readonly config: SharedConfig;
  readonly port: number;
  readonly log: Logger;
  /** Defaults to clients on the configured addresses. */
  readonly peers?: Peers;
  /** Defaults to the Redis Stream, or a stream of this process's own without Redis. */
  readonly events?: EventStream;
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
  const events = options.events ?? (redis ? new RedisEventStream(redis) : new MemoryEventStream());
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const deps: SubgraphDeps = { config, db, redis, peers, events, metrics, log };
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
    metrics,
  });
  const booted: BootedSubgraph = {
    deps,
    server,
    background: module.startBackground?.(deps) ?? null,
    close: async () => {
      await booted.background?.stop();
      await server.close();
      if (!options.events) await events.close();
      if (ownPeers) await closePeers(peers);
      redis?.disconnect();
      await db.close();
    },
  };
  return booted;
}

/** A subgraph's standalone entry point: config from the environment, then listen until signalled. */
export async function runSubgraph<Context extends BaseContext>(module: SubgraphModule<Context>): Promise<void> {
  const config = readSharedConfig(process.env);
  const tracing = startTracing(readTelemetryConfig(process.env), { serviceName: module.name });
  const log = createLogger(module.name);
  const port = Number(process.env['PORT'] ?? DEFAULT_PORTS[module.name]);
  const booted = await bootSubgraph(module, {
    config,
    port,
    log,
    // The demo world is for trying the system out: on by default outside production, SEED_DEMO_DATA=true|false decides.
    seedIfEmpty: process.env['SEED_DEMO_DATA'] ? process.env['SEED_DEMO_DATA'] === 'true' : !config.production,
  });
  closeOnSignal(log, async () => {
    await booted.close();
    await tracing.shutdown();
  });
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
  // `on`, not `once`: tsx's own handler ends the process at once when it finds no other listener
  // left, which cut every close (and the last spans' export) short; `closing` ignores repeats.
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

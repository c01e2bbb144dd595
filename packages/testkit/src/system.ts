import { createLogger, readSharedConfig, World, type SubgraphName, type WorldSize } from '@ordergraph/common';
import { startSystem, type RunningSystem } from '@ordergraph/system';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { TEST_JWT_SECRET } from './client.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { dropPrefix, TEST_MYSQL_URL, TEST_REDIS_URL, uniquePrefix } from './servers.js';

/** Small enough to seed in about a second, with the contract's ids and shapes. */
export const TEST_WORLD: WorldSize = { users: 200, stores: 20, riders: 10, orders: 2_000 };

export interface TestSystemOptions {
  readonly world?: WorldSize;
  /** The embedded stand-ins instead of MariaDB and Redis. */
  readonly embedded?: boolean;
  /** Put something (a fault proxy) between callers and a subgraph. */
  readonly route?: (name: SubgraphName, listening: string) => string;
  /** More gateway or subgraph settings (SUBGRAPH_TIMEOUT_MS, …). */
  readonly env?: Record<string, string>;
  /** Fixed listening ports (0, any free one, for the rest). */
  readonly ports?: Partial<Record<SubgraphName | 'gateway', number>>;
  /** A fault proxy between every caller (gateway and peers) and each of these subgraphs. */
  readonly proxied?: readonly SubgraphName[];
  /** A fault proxy between every service and Redis (stop Redis for real with `redisProxy.set({ kind: 'refuse' })`). */
  readonly proxyRedis?: boolean;
}

export interface TestSystem extends RunningSystem {
  /** The gateway's GraphQL endpoint. */
  readonly url: string;
  readonly prefix: string;
  /** The proxies of `options.proxied`, by subgraph. */
  readonly proxies: Readonly<Partial<Record<SubgraphName, FaultProxy>>>;
  /** The proxy in front of Redis, with `options.proxyRedis`. */
  readonly redisProxy: FaultProxy | null;
}

/** A port that was free a moment ago: the subgraph will listen on it, behind a proxy started first. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Waits until a service started in another process answers `origin`/healthz with 200; throws
 * after `timeoutMs`, or at once when `child` has exited (it will never answer).
 */
export async function waitUntilHealthy(origin: string, what: string, child: { readonly exitCode: number | null }, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const up = await fetch(`${origin}/healthz`).then((response) => response.ok, () => false);
    if (up) return;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${what} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The five subgraphs and the gateway on free ports, over real HTTP, on their own databases
 * on the real MariaDB and keys on the real Redis; close() drops them.
 */
export async function startTestSystem(options: TestSystemOptions = {}): Promise<TestSystem> {
  const prefix = uniquePrefix();
  const redisProxy = options.proxyRedis && !options.embedded ? await startFaultProxy(TEST_REDIS_URL) : null;
  const env: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    JWT_SECRET: TEST_JWT_SECRET,
    MYSQL_POOL_SIZE: '5',
    ...(options.embedded ? {} : { MYSQL_URL: TEST_MYSQL_URL, MYSQL_DATABASE_PREFIX: prefix, REDIS_URL: redisProxy ? `redis://127.0.0.1:${redisProxy.port}` : TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix }),
    ...options.env,
  };
  const level = process.env['TEST_LOG_LEVEL'] ?? 'silent';
  const ports: Partial<Record<SubgraphName | 'gateway', number>> = { gateway: 0, store: 0, menu: 0, user: 0, order: 0, rider: 0, ...options.ports };
  const proxies: Partial<Record<SubgraphName, FaultProxy>> = {};
  for (const name of options.proxied ?? []) {
    const port = await freePort();
    ports[name] = port;
    proxies[name] = await startFaultProxy({ host: '127.0.0.1', port });
  }
  const route = options.route ?? ((name: SubgraphName, listening: string) => proxies[name]?.url('/graphql') ?? listening);
  const system = await startSystem({
    config: readSharedConfig(env),
    env,
    logFor: (name) => createLogger(name, level),
    ports,
    route,
    world: new World(options.world ?? TEST_WORLD),
  });
  return {
    ...system,
    url: system.gateway.url,
    prefix,
    proxies,
    redisProxy,
    close: async () => {
      await redisProxy?.set({ kind: 'pass' });
      await system.close();
      await Promise.all(Object.values(proxies).map((proxy) => proxy.close()));
      await redisProxy?.close();
      if (!options.embedded) await dropPrefix(prefix);
    },
  };
}

/**
 * The worlds the mix and data-size benchmarks run on. `test` and `default` are seeded afresh
 * under a unique prefix for each run and dropped after it, as every other benchmark does.
 * `scale` is the issue's 100,000 users, 5,000 stores, 2,000 riders and 1,000,000 orders: it
 * takes about 200 s to seed, so it is seeded once, with `npm run seed`, under the fixed prefix
 * KEPT_PREFIX, and kept between runs. A run reuses it when every table holds what the seed
 * writes; otherwise it drops the prefix and seeds again. `npm run bench:data-size -- --drop`
 * drops it (databases `bench_scale_*` and Redis keys `bench_scale_*`).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_WORLD, openMysql, openRedis, redisReady, SUBGRAPH_NAMES, World, type SubgraphName, type WorldSize } from '@ordergraph/common';
import { dropPrefix, TEST_MYSQL_URL, TEST_REDIS_URL, TEST_WORLD } from '@ordergraph/testkit';
import { TSX_LOADER } from './child-process.js';

/** The issue's "seeds at scale". */
export const SCALE_WORLD: WorldSize = { users: 100_000, stores: 5_000, riders: 2_000, orders: 1_000_000 };

export const WORLDS = { test: TEST_WORLD, default: DEFAULT_WORLD, scale: SCALE_WORLD } as const satisfies Record<string, WorldSize>;
export type WorldName = keyof typeof WORLDS;

/** The scale world's databases (`bench_scale_order`, …) and Redis keys; MYSQL_DATABASE_PREFIX allows [a-z0-9_]. */
export const KEPT_PREFIX = 'bench_scale_';

/** Tells a benchmark's subgraphs child which world to serve; read in the child, set by the parent. */
export const WORLD_VARIABLE = 'BENCH_WORLD';

export function parseWorldName(value: string | undefined): WorldName {
  if (value !== undefined && Object.hasOwn(WORLDS, value)) return value as WorldName;
  throw new Error(`the world must be one of ${Object.keys(WORLDS).join(', ')}; got ${JSON.stringify(value)}`);
}

export function describeWorld(size: WorldSize): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return `${n(size.users)} users, ${n(size.stores)} stores, ${n(size.riders)} riders, ${n(size.orders)} orders`;
}

/** The tables a finished seed fills, and what each must then hold. */
interface Expectation {
  readonly subgraph: SubgraphName;
  readonly label: string;
  readonly sql: string;
  readonly expected: number;
}

function expectations(size: WorldSize): Expectation[] {
  const world = new World(size);
  let menuItems = 0;
  for (let i = 1; i <= size.stores; i++) menuItems += world.menu(i).length;
  return [
    { subgraph: 'user', label: 'users', sql: 'SELECT COUNT(*) AS n FROM users', expected: size.users },
    { subgraph: 'store', label: 'stores', sql: 'SELECT COUNT(*) AS n FROM stores', expected: size.stores },
    { subgraph: 'menu', label: 'menu items', sql: 'SELECT COUNT(*) AS n FROM menu_items', expected: menuItems },
    // Riders are the rider subgraph's last seeding step, customer stats the order subgraph's:
    // with them in place, the rest of those subgraphs' rows are too.
    { subgraph: 'rider', label: 'riders', sql: 'SELECT COUNT(*) AS n FROM riders', expected: size.riders },
    // Seeded orders have no idempotency key; orders a mix placed on this world do.
    { subgraph: 'order', label: 'seeded orders', sql: 'SELECT COUNT(*) AS n FROM orders WHERE idempotency_key IS NULL', expected: size.orders },
    { subgraph: 'order', label: 'customers with stats', sql: 'SELECT LEAST(COUNT(*), 1) AS n FROM customer_order_stats', expected: 1 },
  ];
}

export interface KeptWorldState {
  /** Every table holds what the seed writes. */
  readonly complete: boolean;
  /** What differs, one line each. */
  readonly problems: readonly string[];
  /** Orders placed on the world after its seed (by a mix run with --world scale). */
  readonly placedOrders: number;
}

/** Reads the kept world's row counts and its riders' positions in Redis. */
export async function inspectKeptWorld(prefix: string, size: WorldSize): Promise<KeptWorldState> {
  const problems: string[] = [];
  const dbs = new Map<SubgraphName, Awaited<ReturnType<typeof openMysql>>>();
  let placedOrders = 0;
  try {
    for (const name of SUBGRAPH_NAMES) {
      // openMysql creates a missing database: empty, it fails the counts below and is reseeded.
      dbs.set(name, await openMysql({ url: TEST_MYSQL_URL, database: `${prefix}${name}`, connectionLimit: 1 }));
    }
    for (const { subgraph, label, sql, expected } of expectations(size)) {
      const found = await dbs.get(subgraph)!.query<{ n: number | string }>(sql).then(([row]) => Number(row?.n ?? 0), () => -1);
      if (found !== expected) problems.push(`${label}: ${found < 0 ? 'no table' : found} (expected ${expected})`);
    }
    placedOrders = await dbs.get('order')!.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM orders WHERE idempotency_key IS NOT NULL')
      .then(([row]) => Number(row?.n ?? 0), () => 0);
  } finally {
    await Promise.all([...dbs.values()].map((db) => db.close()));
  }
  const redis = openRedis(TEST_REDIS_URL, prefix)!;
  try {
    await redisReady(redis);
    // The rider subgraph's locations key (locations/redis-location-store.ts): gone if Redis was flushed.
    const positions = await redis.zcard('rider:locations');
    if (positions !== size.riders) problems.push(`rider positions in Redis: ${positions} (expected ${size.riders})`);
  } finally {
    redis.disconnect();
  }
  return { complete: problems.length === 0, problems, placedOrders };
}

const SEED_SCRIPT = fileURLToPath(new URL('../../scripts/seed.ts', import.meta.url));

/** Drops whatever is under `prefix`, then seeds `size` there with the project's seed tool. */
export async function seedKeptWorld(prefix: string, size: WorldSize): Promise<void> {
  // Precomputed values left in Redis by an earlier world would outlive a plain reseed.
  await dropPrefix(prefix);
  const args = ['--users', size.users, '--stores', size.stores, '--riders', size.riders, '--orders', size.orders].map(String);
  const child = spawn(process.execPath, ['--import', TSX_LOADER, SEED_SCRIPT, ...args], {
    env: { ...process.env, MYSQL_URL: TEST_MYSQL_URL, REDIS_URL: TEST_REDIS_URL, MYSQL_DATABASE_PREFIX: prefix, REDIS_KEY_PREFIX: prefix, NODE_ENV: 'test' },
    stdio: 'inherit',
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('exit', resolve);
    child.once('error', reject);
  });
  if (code !== 0) throw new Error(`seeding ${describeWorld(size)} under ${prefix} failed (exit code ${code})`);
}

/**
 * The kept world, seeded if it is missing or incomplete (about 200 s at SCALE_WORLD).
 * Returns how many orders runs have placed on it since its seed.
 */
export async function ensureKeptWorld(prefix: string, size: WorldSize, log: (line: string) => void): Promise<number> {
  const state = await inspectKeptWorld(prefix, size);
  if (state.complete) {
    log(`reusing the kept world under ${prefix} (${describeWorld(size)}${state.placedOrders > 0 ? `, plus ${state.placedOrders} orders placed by earlier runs` : ''})`);
    return state.placedOrders;
  }
  log(`seeding ${describeWorld(size)} under ${prefix} (${state.problems.join('; ')}); this takes a few minutes, once`);
  const startedMs = performance.now();
  await seedKeptWorld(prefix, size);
  const seeded = await inspectKeptWorld(prefix, size);
  if (!seeded.complete) throw new Error(`the seed under ${prefix} finished incomplete: ${seeded.problems.join('; ')}`);
  log(`seeded in ${Math.round((performance.now() - startedMs) / 1_000)} s; kept for later runs (drop it with npm run bench:data-size -- --drop)`);
  return 0;
}

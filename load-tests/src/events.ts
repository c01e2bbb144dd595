/**
 * The order event pipeline under a steady stream of orders: commit → outbox → relay → Redis
 * Stream → consumer → precomputed value in Redis. Prints the end-to-end lag (p50/p99), the
 * relay's and consumer's throughput on a backlog, and Me's latency with Redis up and down.
 *   npm run bench:events [-- --rate 40 --seconds 15]
 * Runs the whole system in this process on the real MariaDB and Redis.
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { World } from '@ordergraph/common';
import { orderSubgraph } from '@ordergraph/subgraph-order';
import { rebuildPrecomputed, userRuntime } from '@ordergraph/subgraph-user';
import { contractOperation, customer, graphql, startTestSystem, tokenFor, TEST_WORLD } from '@ordergraph/testkit';
import { formatTable, runLoad } from './run-autocannon.js';
import { percentile } from './stats.js';

const { values } = parseArgs({ options: { rate: { type: 'string', default: '40' }, seconds: { type: 'string', default: '15' }, backlog: { type: 'string', default: '2000' } } });
const ratePerS = Number(values.rate);
const durationS = Number(values.seconds);
const backlog = Number(values.backlog);

const world = new World(TEST_WORLD);
const store = world.store(1);
const item = world.menu(1).find((i) => i.available)!;
const quantity = Math.max(1, Math.ceil(store.minOrder / item.price));
const customers = Array.from({ length: TEST_WORLD.users }, (_, i) => `u${i + 1}`);

const system = await startTestSystem({ proxyRedis: true, env: { SUBGRAPH_TIMEOUT_MS: '5000', PEER_TIMEOUT_MS: '5000', REQUEST_DEADLINE_MS: '10000' } });
const userDeps = system.subgraphs.user.deps;
const orderDeps = system.subgraphs.order.deps;
const precomputed = userRuntime(userDeps).store;
let sequence = 0;
const place = (userId: string) =>
  graphql(system.url, contractOperation('PlaceOrder'), {
    input: { storeId: store.id, items: [{ menuItemId: item.id, quantity }], idempotencyKey: `bench-${process.pid}-${sequence++}` },
  }, { principal: customer(userId) });

try {
  // Every customer's values held in Redis, so that each applied event is visible at once.
  await rebuildPrecomputed(userDeps);

  // 1. End-to-end lag at a steady rate: from placeOrder's answer (the commit is before it) to the value in Redis.
  const lagsMs: number[] = [];
  let failed = 0;
  const started = performance.now();
  const inFlight: Array<Promise<void>> = [];
  for (let n = 0; performance.now() - started < durationS * 1_000; n++) {
    const userId = customers[n % customers.length]!;
    inFlight.push((async () => {
      const before = (await precomputed.get([userId])).get(userId)!.activeOrders;
      const result = await place(userId);
      if (result.errors) {
        failed++;
        console.error(`placeOrder failed: ${JSON.stringify(result.errors[0]?.extensions)}`);
        return;
      }
      const answeredAt = performance.now();
      while ((await precomputed.get([userId])).get(userId)!.activeOrders <= before) await sleep(2);
      lagsMs.push(performance.now() - answeredAt);
    })());
    await sleep(Math.max(0, started + ((n + 1) * 1_000) / ratePerS - performance.now()));
  }
  await Promise.all(inFlight);
  console.log(`\nplaceOrder at ${ratePerS}/s for ${durationS} s: ${lagsMs.length} orders, ${failed} failed`);
  console.log(formatTable([{ 'lag to Redis': 'commit → precomputed value', 'p50 ms': percentile(lagsMs, 0.5).toFixed(1), 'p99 ms': percentile(lagsMs, 0.99).toFixed(1), 'max ms': percentile(lagsMs, 1).toFixed(1) }]));

  // 2. Throughput on a backlog: the relay stopped while orders pile up, then let go.
  await system.subgraphs.order.background?.stop();
  const waves = Math.ceil(backlog / 50);
  for (let w = 0; w < waves; w++) await Promise.all(Array.from({ length: 50 }, (_, k) => place(customers[(w * 50 + k) % customers.length]!)));
  const count = async (sql: string) => Number((await orderDeps.db.query<{ n: number }>(sql))[0]?.n ?? 0);
  const pending = await count('SELECT COUNT(*) AS n FROM order_events WHERE published_at_ms IS NULL');
  const relayStarted = performance.now();
  system.subgraphs.order.background = orderSubgraph.startBackground!(orderDeps);
  for (;;) {
    if ((await count('SELECT COUNT(*) AS n FROM order_events WHERE published_at_ms IS NULL')) === 0) break;
    await sleep(5);
  }
  const relaySeconds = (performance.now() - relayStarted) / 1_000;
  const total = await count("SELECT COUNT(*) AS n FROM orders WHERE status <> 'CANCELLED' AND idempotency_key IS NOT NULL");
  // Consumer caught up when every customer's Redis value matches MySQL's.
  for (;;) {
    const held = await precomputed.get(customers);
    const rows = await orderDeps.db.query<{ userId: string; active: number }>("SELECT user_id AS userId, COUNT(*) AS active FROM orders WHERE status <> 'CANCELLED' GROUP BY user_id");
    if (rows.every((r) => held.get(r.userId)?.activeOrders === Number(r.active))) break;
    await sleep(5);
  }
  const appliedSeconds = (performance.now() - relayStarted) / 1_000;
  console.log(`\nbacklog of ${pending} events (${total} placed orders in all)`);
  console.log(formatTable([
    { stage: 'relay: outbox → stream', seconds: relaySeconds.toFixed(2), 'events/s': (pending / relaySeconds).toFixed(0) },
    { stage: 'relay + consumer: outbox → Redis value', seconds: appliedSeconds.toFixed(2), 'events/s': (pending / appliedSeconds).toFixed(0) },
  ]));

  // 3. Me with Redis up and with Redis down (every read computed through the order subgraph).
  const tokens = await Promise.all(customers.map(async (id) => `Bearer ${await tokenFor(customer(id))}`));
  let turn = 0;
  const me = (name: string) =>
    runLoad({ name, url: system.url, connections: 8, durationS: 8, next: () => ({ body: JSON.stringify({ query: contractOperation('Me') }), authorization: tokens[turn++ % tokens.length]! }) });
  await me('warm-up');
  const up = await me('Me, Redis up');
  await system.redisProxy!.set({ kind: 'refuse' });
  const down = await me('Me, Redis down');
  await system.redisProxy!.set({ kind: 'pass' });
  console.log('\nMe (8 connections, 8 s each)');
  console.log(formatTable([up, down].map((r) => ({ run: r.name, 'req/s': r.rps.toFixed(0), 'p50 ms': r.p50Ms, 'p99 ms': r.p99Ms, 'with errors': r.graphqlErrors }))));
} finally {
  await system.close();
}

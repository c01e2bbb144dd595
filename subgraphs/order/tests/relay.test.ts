import { setTimeout as pause } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World, type OrderEvent, type StreamedEvent } from '@ordergraph/common';
import { contractOperation, customer, graphql, startTestSystem, TEST_REDIS_URL, TEST_WORLD, type TestSystem } from '@ordergraph/testkit';
import { orderSubgraph } from '../src/server.js';

/**
 * The outbox relay on the real MariaDB and Redis: what the order subgraph commits reaches the
 * `orders:events` stream within a second, in each order's commit order, once per publication;
 * what is committed while the relay is down waits in the outbox and goes out when it is back;
 * and a batch published twice is counted once by the customer's precomputed values.
 */

const PLACE_ORDER = contractOperation('PlaceOrder');
const CANCEL_ORDER = contractOperation('CancelOrder');
const ME = contractOperation('Me');

/** The contract: order events reach their consumers "within a second". */
const PUBLISH_LAG_MS = 1_000;
/** For polls that wait on the relay and the user subgraph's consumer: generous, as six services share this process. */
const WAIT_MS = 5_000;
/** Correctness, not latency: six services share one process on a small machine here. */
const ENV = { SUBGRAPH_TIMEOUT_MS: '10000', REQUEST_DEADLINE_MS: '30000', PEER_TIMEOUT_MS: '10000' };

const world = new World(TEST_WORLD);
/** s1: open, no free-delivery threshold, so only a first order is waived. */
const STORE_ID = 's1';
const CART = (() => {
  const items = world.menu(1).filter((item) => item.available);
  const [a, b] = [items[0]!, items[1]!];
  const quantity = Math.ceil(world.store(1).minOrder / a.price);
  return { lines: [{ menuItemId: a.id, quantity }, { menuItemId: b.id, quantity: 1 }], itemsTotal: quantity * a.price + b.price };
})();
const FEE = world.store(1).deliveryFee;

interface Placed { id: string; status: string; fees: { itemsTotal: { amount: number }; deliveryFee: { amount: number }; deliveryFeeWaived: { amount: number } } }
interface Me { isFirstOrder: boolean; waivedDeliveryFeeTotal: { amount: number; currency: string } }

let system: TestSystem;
/** Straight to Redis, to see the consumer group the way Redis does. */
let inspector: Redis;
beforeAll(async () => {
  system = await startTestSystem({ env: ENV });
  inspector = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  inspector?.disconnect();
  await system?.close();
});

const deps = () => system.subgraphs.order.deps;
const streamKey = () => `${system.prefix}orders:events`;

let keys = 0;
async function placeOrder(userId: string): Promise<Placed> {
  const result = await graphql<{ placeOrder: Placed }>(system.url, PLACE_ORDER, {
    input: { storeId: STORE_ID, items: CART.lines, idempotencyKey: `relay-${process.pid}-${++keys}` },
  }, { principal: customer(userId) });
  expect(result.errors).toBeUndefined();
  return result.data!.placeOrder;
}

async function cancelOrder(userId: string, orderId: string): Promise<void> {
  const result = await graphql<{ cancelOrder: { status: string } }>(system.url, CANCEL_ORDER, { id: orderId }, { principal: customer(userId) });
  expect(result.errors).toBeUndefined();
  expect(result.data!.cancelOrder.status).toBe('CANCELLED');
}

async function me(userId: string): Promise<Me> {
  const result = await graphql<{ me: Me }>(system.url, ME, {}, { principal: customer(userId) });
  expect(result.errors).toBeUndefined();
  return { isFirstOrder: result.data!.me.isFirstOrder, waivedDeliveryFeeTotal: result.data!.me.waivedDeliveryFeeTotal };
}

/** Me as MySQL says it should read. */
async function meFromMySql(userId: string): Promise<Me> {
  const [row] = await deps().db.query<{ n: unknown; w: unknown }>(
    "SELECT COUNT(*) AS n, COALESCE(SUM(delivery_fee_waived), 0) AS w FROM orders WHERE user_id = ? AND status <> 'CANCELLED'", [userId]);
  return { isFirstOrder: Number(row!.n) === 0, waivedDeliveryFeeTotal: { amount: Number(row!.w), currency: 'CNY' } };
}

interface OutboxRow { seq: number; eventId: string; orderId: string; type: string; publishedAtMs: number | null; event: OrderEvent }
async function outbox(orderIds: readonly string[]): Promise<OutboxRow[]> {
  const rows = await deps().db.query<{ seq: unknown; event_id: string; order_id: string; type: string; published_at_ms: unknown; payload: string }>(
    `SELECT seq, event_id, order_id, type, published_at_ms, payload FROM order_events WHERE order_id IN (${orderIds.map(() => '?').join(', ')}) ORDER BY seq`,
    orderIds,
  );
  return rows.map((r) => ({
    seq: Number(r.seq), eventId: r.event_id, orderId: r.order_id, type: r.type,
    publishedAtMs: r.published_at_ms === null ? null : Number(r.published_at_ms), event: JSON.parse(r.payload) as OrderEvent,
  }));
}

/** The stream's entries for these orders, oldest first. */
async function onStream(orderIds: readonly string[], after = '0-0'): Promise<StreamedEvent[]> {
  const wanted = new Set(orderIds);
  return (await deps().events.readAfter(after, 10_000)).filter((entry) => wanted.has(entry.event.orderId));
}

/** Reads until `done` holds or the deadline passes, and returns the last reading for the caller to assert on. */
async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = WAIT_MS, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await pause(everyMs);
    value = await read();
  }
  return value;
}

/** The user subgraph's consumer group has been handed every entry up to `streamId` and acknowledged them all. */
async function consumedThrough(streamId: string): Promise<boolean> {
  const groups = (await inspector.xinfo('GROUPS', streamKey())) as unknown[][];
  const group = groups.map((fields) => {
    const g: Record<string, unknown> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) g[String(fields[i])] = fields[i + 1];
    return g;
  }).find((g) => g['name'] === 'user-precomputed');
  if (!group) return false;
  const [ms, n] = String(group['last-delivered-id']).split('-').map(Number) as [number, number];
  const [wantMs, wantN] = streamId.split('-').map(Number) as [number, number];
  return Number(group['pending']) === 0 && (ms > wantMs || (ms === wantMs && n >= wantN));
}

const countBy = <T>(list: readonly T[], key: (x: T) => string) =>
  list.reduce((counts, x) => counts.set(key(x), (counts.get(key(x)) ?? 0) + 1), new Map<string, number>());

describe('outbox relay', () => {
  it('publishes each order event within a second of the mutation that committed it', async () => {
    const userId = 'u40';
    const lags: number[] = [];
    const measure = async (mutate: () => Promise<string>, type: string) => {
      const [last] = (await inspector.xrevrange(streamKey(), '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
      const orderId = await mutate();
      const committedAt = Date.now();
      const seen = await pollUntil(() => onStream([orderId], last?.[0]), (entries) => entries.some((e) => e.event.type === type), PUBLISH_LAG_MS * 2, 5);
      expect(seen.map((e) => e.event.type), `${type} of ${orderId} on the stream`).toContain(type);
      lags.push(Date.now() - committedAt);
    };
    for (let i = 0; i < 4; i++) {
      let orderId = '';
      await measure(async () => (orderId = (await placeOrder(userId)).id), 'PLACED');
      if (i % 2 === 0) await measure(async () => (await cancelOrder(userId, orderId), orderId), 'CANCELLED');
    }
    expect(lags).toHaveLength(6);
    expect(Math.max(...lags), `lags in ms: ${lags.join(', ')}`).toBeLessThan(PUBLISH_LAG_MS);
  });

  it('keeps what was committed while the relay was down in the outbox, then publishes it once, in order, and a republished batch counts once', async () => {
    const userId = 'u30';
    // Filled now, before any order: every event below reaches the held values as a delta.
    expect(await me(userId)).toEqual({ isFirstOrder: true, waivedDeliveryFeeTotal: { amount: 0, currency: 'CNY' } });

    await system.subgraphs.order.background!.stop();
    system.subgraphs.order.background = null;
    let placed: Placed[] = [];
    try {
      placed = [await placeOrder(userId), await placeOrder(userId), await placeOrder(userId)];
      await cancelOrder(userId, placed[0]!.id);
      expect(placed.map((o) => o.fees.deliveryFeeWaived.amount), 'only the first order is waived').toEqual([FEE, 0, 0]);

      const waiting = await outbox(placed.map((o) => o.id));
      expect(waiting.map((r) => [r.orderId, r.type, r.publishedAtMs])).toEqual([
        [placed[0]!.id, 'PLACED', null], [placed[1]!.id, 'PLACED', null], [placed[2]!.id, 'PLACED', null], [placed[0]!.id, 'CANCELLED', null],
      ]);
      // Six of the relay's 50 ms polls: a relay that had not really stopped would have published by now.
      await pause(300);
      expect(await onStream(placed.map((o) => o.id)), 'nothing on the stream while the relay is down').toEqual([]);
      expect((await outbox(placed.map((o) => o.id))).every((r) => r.publishedAtMs === null)).toBe(true);
    } finally {
      system.subgraphs.order.background = orderSubgraph.startBackground!(deps());
    }

    const orderIds = placed.map((o) => o.id);
    const published = await pollUntil(
      async () => ({ rows: await outbox(orderIds), entries: await onStream(orderIds) }),
      ({ rows, entries }) => rows.every((r) => r.publishedAtMs !== null) && entries.length >= rows.length,
    );
    const rows = published.rows;
    expect(rows.every((r) => r.publishedAtMs !== null), 'every outbox row is marked published').toBe(true);
    // Marked published, so the relay will not send them again: what is on the stream now is all there will be.
    const entries = await onStream(orderIds);
    expect([...countBy(entries, (e) => e.event.eventId).values()], 'each event once').toEqual(rows.map(() => 1));
    expect(entries.map((e) => e.event), 'the stream carries the outbox payloads, in seq order').toEqual(rows.map((r) => r.event));
    for (const orderId of orderIds) {
      expect(entries.filter((e) => e.event.orderId === orderId).map((e) => e.event.eventId), `${orderId}'s events in commit order`)
        .toEqual(rows.filter((r) => r.orderId === orderId).map((r) => r.eventId));
    }
    const changes = [[placed[0]!, 'PLACED'], [placed[1]!, 'PLACED'], [placed[2]!, 'PLACED'], [placed[0]!, 'CANCELLED']] as const;
    expect(entries.map((e) => e.event)).toEqual(changes.map(([order, type], i) => ({
      eventId: expect.stringMatching(/^\S+$/),
      type,
      orderId: order.id,
      storeId: STORE_ID,
      userId,
      atMs: expect.any(Number),
      status: type,
      riderId: null,
      itemsTotal: CART.itemsTotal,
      deliveryFee: FEE,
      deliveryFeeWaived: order.fees.deliveryFeeWaived.amount,
      // The customer's stats version: one change each, from a never-ordered customer's 0.
      userVersion: i + 1,
    })));

    // Two orders left, neither waived: the first was, and it is cancelled.
    const expected = { isFirstOrder: false, waivedDeliveryFeeTotal: { amount: 0, currency: 'CNY' } };
    expect(await meFromMySql(userId)).toEqual(expected);
    expect(await pollUntil(() => me(userId), (m) => JSON.stringify(m) === JSON.stringify(expected))).toEqual(expected);

    // As after a relay crash between publishing and marking: the batch of placements goes out
    // again (counted twice, the first one's waiver would show in Me).
    const resent = await deps().db.execute(
      `UPDATE order_events SET published_at_ms = NULL WHERE type = 'PLACED' AND order_id IN (${orderIds.map(() => '?').join(', ')})`, orderIds);
    expect(resent.affectedRows).toBe(3);
    const twice = await pollUntil(() => onStream(orderIds), (all) => all.length >= rows.length + 3);
    expect(Object.fromEntries(countBy(twice, (e) => `${e.event.type} ${e.event.orderId}`)), 'the placements twice on the stream').toEqual({
      [`PLACED ${placed[0]!.id}`]: 2, [`PLACED ${placed[1]!.id}`]: 2, [`PLACED ${placed[2]!.id}`]: 2, [`CANCELLED ${placed[0]!.id}`]: 1,
    });
    expect(twice.slice(rows.length).map((e) => e.event), 'the same events, in seq order').toEqual(rows.filter((r) => r.type === 'PLACED').map((r) => r.event));
    const lastDuplicate = twice.at(-1)!.streamId;
    expect(await pollUntil(() => consumedThrough(lastDuplicate), (done) => done), 'the consumer took the duplicates').toBe(true);
    expect(await me(userId), 'Me counts each event once').toEqual(expected);
    expect(await meFromMySql(userId)).toEqual(expected);
  });
});

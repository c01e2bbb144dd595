import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World, type EventStream, type Principal, type RiderMovedEvent } from '@ordergraph/common';
import { contractOperation, customer, graphql, merchant, openStore, rider, startTestSystem, TEST_WORLD, type TestSystem } from '@ordergraph/testkit';
import { RIDER_MOVED_INTERVAL_MS } from '../src/moves/index.js';

/**
 * updateRiderLocation tells the order events stream where the rider is, once per order under
 * way and at most once a second per order, for the gateway to pass on to customers following
 * those orders. On the real MariaDB and Redis (the throttle shared through Redis) and on the
 * embedded default (the throttle in memory). updateRiderLocation answers after publishing, so
 * the stream is read right after it.
 */

const PLACE_ORDER = contractOperation('PlaceOrder');
const ACCEPT_ORDER = contractOperation('AcceptOrder');
const MARK_ORDER_READY = contractOperation('MarkOrderReady');
const ACCEPT_DELIVERY = contractOperation('AcceptDelivery');
const PICK_UP_ORDER = contractOperation('PickUpOrder');
const DELIVER_ORDER = contractOperation('DeliverOrder');
const UPDATE_LOCATION = contractOperation('UpdateLocation');

/** Few seeded orders (a world has at least one), so that most riders start with no delivery under way. */
const WORLD_SIZE = { ...TEST_WORLD, orders: 5 };
const world = new World(WORLD_SIZE);
/** Riders with nothing under way in the seeded world: their deliveries are only the ones a test gives them. */
const FREE_RIDERS = (() => {
  const busy = new Set([...world.orders()].flatMap((o) => (o.delivery && o.delivery.status !== 'DELIVERED' ? [o.delivery.riderId] : [])));
  return Array.from({ length: WORLD_SIZE.riders }, (_, i) => `r${i + 1}`).filter((id) => !busy.has(id));
})();
const STORE = openStore(1);
const STORE_ID = STORE.id;
const CART = STORE.cart;
const OWNER = customer('u7');
const MERCHANT = merchant(`m${STORE.index}`, STORE_ID);
/** Past the throttle's interval with room for a timer firing late on a busy machine. */
const PAST_INTERVAL_MS = RIDER_MOVED_INTERVAL_MS + 200;
/** Correctness, not latency: six services share one process on a small machine here. */
const ENV = { SUBGRAPH_TIMEOUT_MS: '10000', REQUEST_DEADLINE_MS: '30000', PEER_TIMEOUT_MS: '10000' };

interface Position { lat: number; lng: number }
const HERE: Position = { lat: 31.2304, lng: 121.4737 };
const THERE: Position = { lat: 31.2311, lng: 121.4745 };
const FURTHER: Position = { lat: 31.2322, lng: 121.4760 };

describe.each([
  { setup: 'on MariaDB and Redis', embedded: false },
  { setup: 'on the embedded default', embedded: true },
])('RIDER_MOVED $setup', ({ embedded }) => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ embedded, world: WORLD_SIZE, env: ENV });
  });
  afterAll(async () => {
    await system?.close();
  });

  const stream = (): EventStream => system.subgraphs.rider.deps.events;

  async function ok(operation: string, variables: Record<string, unknown>, principal: Principal): Promise<void> {
    const result = await graphql(system.url, operation, variables, { principal });
    expect(result.errors).toBeUndefined();
  }

  let keys = 0;
  /** An order ACCEPTED by the store and taken by `by`: its delivery is ASSIGNED. */
  async function orderTakenBy(by: Principal): Promise<string> {
    const placed = await graphql<{ placeOrder: { id: string } }>(system.url, PLACE_ORDER, {
      input: { storeId: STORE_ID, items: CART, idempotencyKey: `rider-moved-${process.pid}-${embedded}-${++keys}` },
    }, { principal: OWNER });
    expect(placed.errors).toBeUndefined();
    const id = placed.data!.placeOrder.id;
    await ok(ACCEPT_ORDER, { id }, MERCHANT);
    await ok(ACCEPT_DELIVERY, { orderId: id }, by);
    return id;
  }

  async function pickUp(id: string, by: Principal): Promise<void> {
    await ok(MARK_ORDER_READY, { id }, MERCHANT);
    await ok(PICK_UP_ORDER, { orderId: id }, by);
  }

  const moveTo = (by: Principal, { lat, lng }: Position) => ok(UPDATE_LOCATION, { lat, lng }, by);

  /** The RIDER_MOVED events on the stream after `from`, oldest first. */
  async function movesAfter(from: string): Promise<RiderMovedEvent[]> {
    const entries = await stream().readAfter(from, 10_000);
    return entries.map((entry) => entry.event).filter((event): event is RiderMovedEvent => event.type === 'RIDER_MOVED');
  }

  const moved = (orderId: string, riderId: string, { lat, lng }: Position) => ({
    eventId: expect.any(String), type: 'RIDER_MOVED', orderId, storeId: STORE_ID, userId: OWNER.sub, riderId, atMs: expect.any(Number), lat, lng,
  });

  it('publishes one RIDER_MOVED, with the first position, when a rider on a delivery moves twice within a second, and another a second later', async () => {
    const taker = rider(FREE_RIDERS[0]!);
    const id = await orderTakenBy(taker);
    const from = await stream().latestId();

    const started = performance.now();
    await moveTo(taker, HERE);
    const firstAnswered = performance.now();
    await moveTo(taker, THERE);
    // Both within one interval, or this test shows nothing about the throttle.
    expect(performance.now() - started).toBeLessThan(RIDER_MOVED_INTERVAL_MS);

    expect(await movesAfter(from)).toEqual([moved(id, taker.sub, HERE)]);

    await sleep(Math.max(0, firstAnswered + PAST_INTERVAL_MS - performance.now()));
    await moveTo(taker, FURTHER);

    const moves = await movesAfter(from);
    expect(moves).toEqual([moved(id, taker.sub, HERE), moved(id, taker.sub, FURTHER)]);
    expect(moves[1]!.atMs - moves[0]!.atMs).toBeGreaterThanOrEqual(RIDER_MOVED_INTERVAL_MS);
    expect(new Set(moves.map((m) => m.eventId)).size).toBe(2);
  });

  it('publishes nothing for a rider with no delivery under way', async () => {
    const idle = rider(FREE_RIDERS[1]!);
    const busy = rider(FREE_RIDERS[2]!);
    const busyOrder = await orderTakenBy(busy);
    const from = await stream().latestId();

    await moveTo(idle, HERE);
    // What the busy rider publishes after the idle one moved shows the stream was not merely slow.
    await moveTo(busy, THERE);

    expect(await movesAfter(from)).toEqual([moved(busyOrder, busy.sub, THERE)]);
  });

  it('publishes for each order a rider has under way, picked up or not, and no more for one once it is delivered', async () => {
    const taker = rider(FREE_RIDERS[3]!);
    const first = await orderTakenBy(taker);
    await pickUp(first, taker);
    const second = await orderTakenBy(taker);
    let from = await stream().latestId();

    await moveTo(taker, HERE);

    const both = await movesAfter(from);
    expect(both).toHaveLength(2);
    expect(both).toEqual(expect.arrayContaining([moved(first, taker.sub, HERE), moved(second, taker.sub, HERE)]));

    await ok(DELIVER_ORDER, { orderId: first }, taker);
    // Past the interval, so that the throttle is not why the delivered order hears nothing.
    await sleep(PAST_INTERVAL_MS);
    from = await stream().latestId();
    await moveTo(taker, THERE);

    expect(await movesAfter(from)).toEqual([moved(second, taker.sub, THERE)]);
  });
});

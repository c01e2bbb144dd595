import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { World, type Principal } from '@ordergraph/common';
import {
  contractOperation, customer, errorCodes, graphql, merchant, openStore, rider, startTestSystem, TEST_REDIS_URL, TEST_WORLD, type TestSystem,
} from '@ordergraph/testkit';

/**
 * The rider app's steps through the gateway with the contract's operations: one rider wins a
 * race for an order, steps follow the order's state (which the order subgraph arbitrates),
 * the customer sees the delivery, and positions land in Redis GEO.
 */

const PLACE_ORDER = contractOperation('PlaceOrder');
const ACCEPT_ORDER = contractOperation('AcceptOrder');
const MARK_ORDER_READY = contractOperation('MarkOrderReady');
const ORDER_DETAIL = contractOperation('OrderDetail');
const ACCEPT_DELIVERY = contractOperation('AcceptDelivery');
const PICK_UP_ORDER = contractOperation('PickUpOrder');
const DELIVER_ORDER = contractOperation('DeliverOrder');
const UPDATE_LOCATION = contractOperation('UpdateLocation');

/** Where RedisLocationStore keeps every rider's position, under the system's key prefix. */
const RIDER_LOCATIONS_KEY = 'rider:locations';
/**
 * Redis GEO keeps a 52-bit geohash, 26 bits an axis: a longitude comes back within
 * 360° / 2^27 ≈ 2.7e-6° (about 0.3 m) of what was sent, so positions read back through Redis
 * are compared to 5 decimals (toBeCloseTo: within 5e-6°, about half a metre).
 */
const GEO_PRECISION_DIGITS = 5;

function expectNear(actual: Location | null | undefined, expected: Location): void {
  expect(actual).not.toBeNull();
  expect(actual?.lat).toBeCloseTo(expected.lat, GEO_PRECISION_DIGITS);
  expect(actual?.lng).toBeCloseTo(expected.lng, GEO_PRECISION_DIGITS);
}

const world = new World(TEST_WORLD);
const STORE = openStore(1);
const STORE_ID = STORE.id;
const CART = STORE.cart;
const OWNER = customer('u7');
const MERCHANT = merchant(`m${STORE.index}`, STORE_ID);
const RIDERS = Array.from({ length: 10 }, (_, i) => rider(`r${i + 1}`));

interface Location { lat: number; lng: number }
interface Delivery {
  status: string;
  etaMinutes: number | null;
  pickedUpAt: string | null;
  deliveredAt: string | null;
  rider: { id: string; name: string | null; phone: string | null; location: Location | null } | null;
}
interface Detail { id: string; status: string; statusHistory: Array<{ status: string; at: string }>; delivery: Delivery | null }

/**
 * These tests are about what concurrency does to orders, not about latency: here the gateway
 * and all five subgraphs share one process on a shared two-core machine, where a 20-way burst
 * has taken 0.5 to 1.8 s end to end, past the 1 s attempt budget meant for production. The
 * budgets themselves are the gateway tests' business.
 */
const CORRECTNESS_NOT_LATENCY = { SUBGRAPH_TIMEOUT_MS: '10000', REQUEST_DEADLINE_MS: '30000', PEER_TIMEOUT_MS: '10000' };

let system: TestSystem;
let redis: Redis;
beforeAll(async () => {
  system = await startTestSystem({ env: CORRECTNESS_NOT_LATENCY });
  redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
});
afterAll(async () => {
  redis?.disconnect();
  await system?.close();
});

let keys = 0;
async function placeOrder(): Promise<string> {
  const result = await graphql<{ placeOrder: { id: string } }>(system.url, PLACE_ORDER, {
    input: { storeId: STORE_ID, items: CART, idempotencyKey: `delivery-${process.pid}-${++keys}` },
  }, { principal: OWNER });
  expect(result.errors).toBeUndefined();
  return result.data!.placeOrder.id;
}

async function merchantMoves(operation: string, field: string, id: string, status: string): Promise<void> {
  const result = await graphql<Record<string, { status: string }>>(system.url, operation, { id }, { principal: MERCHANT });
  expect(result.errors).toBeUndefined();
  expect(result.data![field]!.status).toBe(status);
}
const accept = (id: string) => merchantMoves(ACCEPT_ORDER, 'acceptOrder', id, 'ACCEPTED');
const markReady = (id: string) => merchantMoves(MARK_ORDER_READY, 'markOrderReady', id, 'READY');

async function acceptedOrder(): Promise<string> {
  const id = await placeOrder();
  await accept(id);
  return id;
}

type Step = 'acceptDelivery' | 'pickUpOrder' | 'deliverOrder';
const STEP: Record<Step, string> = { acceptDelivery: ACCEPT_DELIVERY, pickUpOrder: PICK_UP_ORDER, deliverOrder: DELIVER_ORDER };

function step(name: Step, orderId: string, by: Principal) {
  return graphql<Record<Step, Delivery>>(system.url, STEP[name], { orderId }, { principal: by });
}

async function stepped(name: Step, orderId: string, by: Principal): Promise<Delivery> {
  const result = await step(name, orderId, by);
  expect(result.errors).toBeUndefined();
  return result.data![name];
}

/** An order READY at the store and taken by `by`. */
async function readyOrderTakenBy(by: Principal): Promise<string> {
  const id = await acceptedOrder();
  await stepped('acceptDelivery', id, by);
  await markReady(id);
  return id;
}

async function detail(id: string, principal: Principal = OWNER): Promise<Detail> {
  const result = await graphql<{ order: Detail }>(system.url, ORDER_DETAIL, { id }, { principal });
  expect(result.errors).toBeUndefined();
  return result.data!.order;
}

async function deliveryRows(orderId: string): Promise<Array<{ riderId: string; status: string }>> {
  return system.subgraphs.rider.deps.db.query<{ riderId: string; status: string }>(
    'SELECT rider_id AS riderId, status FROM deliveries WHERE order_id = ?', [orderId]);
}

async function outboxTypes(orderId: string): Promise<string[]> {
  const rows = await system.subgraphs.order.deps.db.query<{ type: string }>(
    'SELECT type FROM order_events WHERE order_id = ? ORDER BY at_ms, event_id', [orderId]);
  return rows.map((row) => row.type);
}

async function geopos(riderId: string): Promise<Location | null> {
  const [position] = await redis.geopos(`${system.prefix}${RIDER_LOCATIONS_KEY}`, riderId);
  return position ? { lat: Number(position[1]), lng: Number(position[0]) } : null;
}

async function updateLocation(by: Principal | undefined, lat: number, lng: number) {
  return graphql<{ updateRiderLocation: { id: string; location: Location | null } }>(
    system.url, UPDATE_LOCATION, { lat, lng }, by ? { principal: by } : {});
}

describe('taking an order', () => {
  it('lets exactly one of ten riders racing for an ACCEPTED order take it; the other nine get ALREADY_TAKEN', async () => {
    const id = await acceptedOrder();

    const results = await Promise.all(RIDERS.map((r) => step('acceptDelivery', id, r)));

    const winners = RIDERS.filter((_, n) => results[n]!.errors === undefined);
    expect(winners).toHaveLength(1);
    const winner = winners[0]!;
    const won = results[RIDERS.indexOf(winner)]!.data!.acceptDelivery;
    expect(won.status).toBe('ASSIGNED');
    expect(won.rider?.id).toBe(winner.sub);
    expect(won.rider?.name).toBe(world.rider(Number(winner.sub.slice(1))).name);
    expect(won.etaMinutes).toBeGreaterThan(0);
    const losers = results.filter((r) => r.errors !== undefined);
    expect(losers).toHaveLength(9);
    for (const loser of losers) {
      expect(errorCodes(loser)).toEqual(['ALREADY_TAKEN']);
      expect(loser.data?.acceptDelivery ?? null).toBeNull();
    }
    const order = await detail(id);
    expect(order.status).toBe('ACCEPTED');
    expect(order.delivery?.status).toBe('ASSIGNED');
    expect(order.delivery?.rider?.id).toBe(winner.sub);
    expect(await deliveryRows(id)).toEqual([{ riderId: winner.sub, status: 'ASSIGNED' }]);
    expect(await outboxTypes(id)).toEqual(['PLACED', 'ACCEPTED', 'RIDER_ASSIGNED']);
  });

  it('lets a rider take a READY order that has no rider yet', async () => {
    const id = await acceptedOrder();
    await markReady(id);

    const delivery = await stepped('acceptDelivery', id, rider('r4'));

    expect(delivery.status).toBe('ASSIGNED');
    expect((await detail(id)).delivery?.rider?.id).toBe('r4');
  });

  it('answers the winner taking the same order again with its own delivery, and a late rider with ALREADY_TAKEN', async () => {
    const id = await acceptedOrder();
    await stepped('acceptDelivery', id, rider('r2'));

    const again = await stepped('acceptDelivery', id, rider('r2'));
    const late = await step('acceptDelivery', id, rider('r3'));

    expect(again.rider?.id).toBe('r2');
    expect(errorCodes(late)).toEqual(['ALREADY_TAKEN']);
    expect(await deliveryRows(id)).toEqual([{ riderId: 'r2', status: 'ASSIGNED' }]);
    expect(await outboxTypes(id)).toEqual(['PLACED', 'ACCEPTED', 'RIDER_ASSIGNED']);
  });

  it('refuses to take a PLACED order with INVALID_STATE_TRANSITION and leaves it without a delivery', async () => {
    const id = await placeOrder();

    const result = await step('acceptDelivery', id, rider('r1'));

    expect(errorCodes(result)).toEqual(['INVALID_STATE_TRANSITION']);
    const order = await detail(id);
    expect(order.status).toBe('PLACED');
    expect(order.delivery).toBeNull();
    expect(await deliveryRows(id)).toEqual([]);
    expect(await outboxTypes(id)).toEqual(['PLACED']);
  });

  it('refuses to take an order that does not exist with NOT_FOUND', async () => {
    const result = await step('acceptDelivery', 'o-does-not-exist', rider('r1'));

    expect(errorCodes(result)).toEqual(['NOT_FOUND']);
    expect(await deliveryRows('o-does-not-exist')).toEqual([]);
  });

  it('refuses a token for a rider who does not exist, and the order stays free for a real rider', async () => {
    const id = await acceptedOrder();

    const result = await step('acceptDelivery', id, rider('r999'));

    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    expect(await deliveryRows(id)).toEqual([]);
    expect(await outboxTypes(id)).toEqual(['PLACED', 'ACCEPTED']);
    expect((await stepped('acceptDelivery', id, rider('r1'))).rider?.id).toBe('r1');
  });

  it('refuses a customer or a merchant taking an order with FORBIDDEN', async () => {
    const id = await acceptedOrder();

    expect(errorCodes(await step('acceptDelivery', id, OWNER))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await step('acceptDelivery', id, MERCHANT))).toEqual(['FORBIDDEN']);
    expect((await detail(id)).delivery).toBeNull();
  });
});

describe('picking up and delivering', () => {
  it('refuses to pick up an order that is not READY yet with INVALID_STATE_TRANSITION and changes nothing', async () => {
    const id = await acceptedOrder();
    await stepped('acceptDelivery', id, rider('r5'));

    const result = await step('pickUpOrder', id, rider('r5'));

    expect(errorCodes(result)).toEqual(['INVALID_STATE_TRANSITION']);
    const order = await detail(id);
    expect(order.status).toBe('ACCEPTED');
    expect(order.delivery?.status).toBe('ASSIGNED');
    expect(order.delivery?.pickedUpAt).toBeNull();
    expect(await deliveryRows(id)).toEqual([{ riderId: 'r5', status: 'ASSIGNED' }]);
  });

  it('refuses a rider other than the winner picking up a READY order with FORBIDDEN', async () => {
    const id = await readyOrderTakenBy(rider('r6'));

    const result = await step('pickUpOrder', id, rider('r7'));

    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    const order = await detail(id);
    expect(order.status).toBe('READY');
    expect(order.delivery?.status).toBe('ASSIGNED');
    expect(order.delivery?.rider?.id).toBe('r6');
  });

  it('lets the winner pick up a READY order and deliver it, the order\'s status following each step', async () => {
    const id = await readyOrderTakenBy(rider('r6'));
    const before = Date.now();

    const pickedUp = await stepped('pickUpOrder', id, rider('r6'));

    expect(pickedUp.status).toBe('PICKED_UP');
    expect(pickedUp.pickedUpAt).not.toBeNull();
    const pickedUpAt = Date.parse(pickedUp.pickedUpAt!);
    expect(pickedUpAt).toBeGreaterThanOrEqual(before - 1_000);
    expect(pickedUpAt).toBeLessThanOrEqual(Date.now() + 1_000);
    let order = await detail(id);
    expect(order.status).toBe('PICKED_UP');
    expect(order.delivery?.status).toBe('PICKED_UP');
    expect(order.delivery?.pickedUpAt).toBe(pickedUp.pickedUpAt);
    expect(order.delivery?.deliveredAt).toBeNull();

    const delivered = await stepped('deliverOrder', id, rider('r6'));

    expect(delivered.status).toBe('DELIVERED');
    expect(delivered.deliveredAt).not.toBeNull();
    expect(Date.parse(delivered.deliveredAt!)).toBeGreaterThanOrEqual(pickedUpAt);
    order = await detail(id);
    expect(order.status).toBe('DELIVERED');
    expect(order.delivery?.status).toBe('DELIVERED');
    expect(order.delivery?.deliveredAt).toBe(delivered.deliveredAt);
    expect(order.delivery?.pickedUpAt).toBe(pickedUp.pickedUpAt);
    expect(order.statusHistory.map((change) => change.status)).toEqual(['PLACED', 'ACCEPTED', 'READY', 'PICKED_UP', 'DELIVERED']);
    expect(await outboxTypes(id)).toEqual(['PLACED', 'ACCEPTED', 'RIDER_ASSIGNED', 'READY', 'PICKED_UP', 'DELIVERED']);
  });

  it('refuses to deliver an order that is not picked up yet with INVALID_STATE_TRANSITION', async () => {
    const id = await readyOrderTakenBy(rider('r8'));

    const result = await step('deliverOrder', id, rider('r8'));

    expect(errorCodes(result)).toEqual(['INVALID_STATE_TRANSITION']);
    const order = await detail(id);
    expect(order.status).toBe('READY');
    expect(order.delivery?.status).toBe('ASSIGNED');
    expect(order.delivery?.deliveredAt).toBeNull();
  });

  it('refuses a rider other than the winner delivering a picked-up order with FORBIDDEN', async () => {
    const id = await readyOrderTakenBy(rider('r8'));
    await stepped('pickUpOrder', id, rider('r8'));

    const result = await step('deliverOrder', id, rider('r9'));

    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    expect((await detail(id)).status).toBe('PICKED_UP');
  });

  it('refuses to pick up an order without a rider with INVALID_STATE_TRANSITION or FORBIDDEN, and writes no delivery', async () => {
    const id = await acceptedOrder();
    await markReady(id);

    const result = await step('pickUpOrder', id, rider('r9'));

    expect(['INVALID_STATE_TRANSITION', 'FORBIDDEN']).toContain(errorCodes(result)[0]);
    expect(errorCodes(result)).toHaveLength(1);
    expect(await deliveryRows(id)).toEqual([]);
    expect((await detail(id)).status).toBe('READY');
  });
});

describe('one order from the race to the door', () => {
  it('the race winner alone picks the order up once it is READY and delivers it', async () => {
    const id = await acceptedOrder();
    const results = await Promise.all(RIDERS.map((r) => step('acceptDelivery', id, r)));
    const winner = RIDERS.find((_, n) => results[n]!.errors === undefined)!;
    const loser = RIDERS.find((r) => r !== winner)!;

    expect(errorCodes(await step('pickUpOrder', id, winner))).toEqual(['INVALID_STATE_TRANSITION']);
    await markReady(id);
    expect(errorCodes(await step('pickUpOrder', id, loser))).toEqual(['FORBIDDEN']);
    const pickedUp = await stepped('pickUpOrder', id, winner);
    expect(errorCodes(await step('deliverOrder', id, loser))).toEqual(['FORBIDDEN']);
    const delivered = await stepped('deliverOrder', id, winner);

    expect(pickedUp.status).toBe('PICKED_UP');
    expect(delivered.status).toBe('DELIVERED');
    const order = await detail(id);
    expect(order.status).toBe('DELIVERED');
    expect(order.delivery).toMatchObject({ status: 'DELIVERED', pickedUpAt: pickedUp.pickedUpAt, deliveredAt: delivered.deliveredAt });
    expect(order.delivery?.rider?.id).toBe(winner.sub);
    expect(order.statusHistory.map((change) => change.status)).toEqual(['PLACED', 'ACCEPTED', 'READY', 'PICKED_UP', 'DELIVERED']);
    expect(await deliveryRows(id)).toEqual([{ riderId: winner.sub, status: 'DELIVERED' }]);
  });
});

describe('what the customer sees', () => {
  it('shows the customer their order\'s delivery with its rider\'s name, phone and last location', async () => {
    const taker = rider('r3');
    const world3 = world.rider(3);
    const moved = await updateLocation(taker, 31.2401, 121.4702);
    expect(moved.errors).toBeUndefined();
    const id = await readyOrderTakenBy(taker);

    const order = await detail(id);

    expect(order.delivery).toMatchObject({
      status: 'ASSIGNED',
      pickedUpAt: null,
      deliveredAt: null,
      rider: { id: 'r3', name: world3.name, phone: world3.phone },
    });
    expectNear(order.delivery?.rider?.location, { lat: 31.2401, lng: 121.4702 });
    expect(order.delivery?.etaMinutes).toEqual(expect.any(Number));
    expect(order.delivery!.etaMinutes!).toBeGreaterThan(0);
  });

  it('does not show another customer the order or its delivery', async () => {
    const id = await readyOrderTakenBy(rider('r3'));

    const result = await graphql<{ order: Detail | null }>(system.url, ORDER_DETAIL, { id }, { principal: customer('u8') });

    expect(errorCodes(result)).toContain('FORBIDDEN');
    expect(result.data?.order ?? null).toBeNull();
  });
});

describe('a rider\'s location', () => {
  it('is stored in Redis GEO and read back through the order\'s rider', async () => {
    const taker = rider('r10');
    const id = await readyOrderTakenBy(taker);

    const result = await updateLocation(taker, 31.2222, 121.4888);

    expect(result.errors).toBeUndefined();
    expect(result.data!.updateRiderLocation).toEqual({ id: 'r10', location: { lat: 31.2222, lng: 121.4888 } });
    expectNear(await geopos('r10'), { lat: 31.2222, lng: 121.4888 });
    expectNear((await detail(id)).delivery?.rider?.location, { lat: 31.2222, lng: 121.4888 });
    expectNear((await detail(id, taker)).delivery?.rider?.location, { lat: 31.2222, lng: 121.4888 });
  });

  it.each([
    { lat: 95, lng: 121.47 },
    { lat: -95, lng: 121.47 },
    { lat: 31.23, lng: 181 },
    { lat: 86, lng: 121.47 },
  ])('refuses ($lat, $lng) with BAD_USER_INPUT and keeps the last position', async ({ lat, lng }) => {
    const taker = rider('r9');
    expect((await updateLocation(taker, 31.2, 121.4)).errors).toBeUndefined();
    const before = await geopos('r9');

    const result = await updateLocation(taker, lat, lng);

    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.data?.updateRiderLocation ?? null).toBeNull();
    expect(await geopos('r9')).toEqual(before);
  });

  it('refuses a token for a rider who does not exist with NOT_FOUND and stores no position', async () => {
    const result = await updateLocation(rider('r999'), 31.2, 121.4);

    expect(errorCodes(result)).toEqual(['NOT_FOUND']);
    expect(await geopos('r999')).toBeNull();
  });

  it('refuses a customer or a merchant updating a location with FORBIDDEN, and no token with UNAUTHENTICATED', async () => {
    const before = await redis.zcard(`${system.prefix}${RIDER_LOCATIONS_KEY}`);

    expect(errorCodes(await updateLocation(OWNER, 31.2, 121.4))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await updateLocation(MERCHANT, 31.2, 121.4))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await updateLocation(undefined, 31.2, 121.4))).toEqual(['UNAUTHENTICATED']);
    expect(await geopos('u7')).toBeNull();
    expect(await redis.zcard(`${system.prefix}${RIDER_LOCATIONS_KEY}`)).toBe(before);
  });
});

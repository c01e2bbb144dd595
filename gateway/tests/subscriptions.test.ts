import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareStreamIds, secretKey, signToken, World, type Principal } from '@ordergraph/common';
import {
  connectSubscriptions, contractOperation, customer, graphql, merchant, openStore, placeOrderAt, rider, startTestSystem, TEST_JWT_SECRET, TEST_WORLD,
  type Recording, type SubscriptionClient, type TestSystem,
} from '@ordergraph/testkit';

/**
 * Subscriptions over real WebSockets at the gateway, fed from the real Redis Stream, with each
 * event's order resolved through the gateway's federated execution.
 */

const STORE_ORDER_EVENTS = contractOperation('StoreOrderEvents');
const TRACK_ORDER = contractOperation('TrackOrder');
const ACCEPT_ORDER = contractOperation('AcceptOrder');
const MARK_ORDER_READY = contractOperation('MarkOrderReady');
const ACCEPT_DELIVERY = contractOperation('AcceptDelivery');
const PICK_UP_ORDER = contractOperation('PickUpOrder');
const DELIVER_ORDER = contractOperation('DeliverOrder');
const UPDATE_LOCATION = contractOperation('UpdateLocation');
const CANCEL_ORDER = contractOperation('CancelOrder');

const world = new World(TEST_WORLD);
const STORE = openStore(1);
const OTHER_STORE = openStore(2);
const OWNER = customer('u7');
const OTHER_CUSTOMER = customer('u8');
const MERCHANT = merchant(`m${STORE.index}`, STORE.id);
const OTHER_MERCHANT = merchant(`m${OTHER_STORE.index}`, OTHER_STORE.id);
const RIDER = rider('r3');

let system: TestSystem;
const clients: SubscriptionClient[] = [];
beforeAll(async () => {
  // Generous budgets: this is about what arrives and in which order; five services and the tests share two cores.
  system = await startTestSystem({ env: { SUBGRAPH_TIMEOUT_MS: '5000', REQUEST_DEADLINE_MS: '10000', SUBSCRIPTIONS_PER_CONNECTION: '3', CONNECTIONS_PER_PRINCIPAL: '3' } });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await system?.close();
});

async function connect(who: Principal | { authorization: string } | null): Promise<SubscriptionClient> {
  const client = await connectSubscriptions(system.url, who);
  clients.push(client);
  return client;
}

/** graphql-ws sends no acknowledgement of a subscribe: give the gateway a moment to register it before causing events. */
async function subscribed(recording: Recording): Promise<Recording> {
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(recording.errors).toEqual([]);
  return recording;
}

async function mutate(operation: string, variables: Record<string, unknown>, principal: Principal): Promise<Record<string, unknown>> {
  const result = await graphql(system.url, operation, variables, { principal });
  expect(result.errors).toBeUndefined();
  return result.data!;
}

type EventData = { type: string; at: string; order: Record<string, unknown> | null };
const payloads = (recording: Recording, field: string) => recording.events.map((e) => e.result.data?.[field] as EventData);

describe('storeOrderEvents and orderUpdated, end to end', () => {
  it("delivers PLACED to the store's merchant within a second, with user name, items and payable, and every later step to the customer in order", async () => {
    const board = await subscribed((await connect(MERCHANT)).subscribe(STORE_ORDER_EVENTS, { storeId: STORE.id }));
    const orderId = await placeOrderAt(system.url, STORE, OWNER);
    const placedAt = Date.now();
    const [placed] = await board.waitFor(1, 2_000);
    expect(placed!.receivedAtMs - placedAt).toBeLessThan(1_000);
    const event = placed!.result.data!['storeOrderEvents'] as EventData;
    const user = world.user(7);
    expect(event).toMatchObject({ type: 'PLACED', order: { id: orderId, status: 'PLACED', user: { id: 'u7', name: user.name }, delivery: null } });
    expect(Date.parse(event.at)).toBeGreaterThan(placedAt - 5_000);
    const order = event.order as { items: Array<{ quantity: number; menuItem: { id: string; name: string } }>; fees: { payable: { amount: number; currency: string } } };
    const item = world.menu(STORE.index).find((m) => m.id === STORE.cart[0]!.menuItemId)!;
    expect(order.items).toEqual([{ quantity: STORE.cart[0]!.quantity, menuItem: { id: item.id, name: item.name } }]);
    expect(order.fees.payable.currency).toBe('CNY');
    expect(order.fees.payable.amount).toBeGreaterThanOrEqual(item.price * STORE.cart[0]!.quantity);
    expect(placed!.result.extensions?.streamId).toMatch(/^\d+-\d+$/);

    const tracking = await subscribed((await connect(OWNER)).subscribe(TRACK_ORDER, { orderId }));
    await mutate(ACCEPT_ORDER, { id: orderId }, MERCHANT);
    await mutate(MARK_ORDER_READY, { id: orderId }, MERCHANT);
    await mutate(ACCEPT_DELIVERY, { orderId }, RIDER);
    await tracking.waitFor(3);
    await mutate(UPDATE_LOCATION, { lat: 31.2301, lng: 121.4702 }, RIDER);
    await tracking.waitFor(4);
    await mutate(PICK_UP_ORDER, { orderId }, RIDER);
    await mutate(DELIVER_ORDER, { orderId }, RIDER);
    await tracking.waitFor(6);
    const steps = payloads(tracking, 'orderUpdated');
    expect(steps.map((s) => s.type)).toEqual(['ACCEPTED', 'READY', 'RIDER_ASSIGNED', 'RIDER_MOVED', 'PICKED_UP', 'DELIVERED']);
    expect(steps.map((s) => s.order?.['status'])).toEqual(['ACCEPTED', 'READY', 'READY', 'READY', 'PICKED_UP', 'DELIVERED']);
    const moved = steps[3]!.order as { delivery: { rider: { id: string; location: { lat: number; lng: number } } } };
    expect(moved.delivery.rider.id).toBe('r3');
    expect(moved.delivery.rider.location.lat).toBeCloseTo(31.2301, 4);

    // The board saw the store's steps too (not the rider's movements), each once, in stream order.
    await board.waitFor(6);
    expect(payloads(board, 'storeOrderEvents').map((s) => s.type)).toEqual(['PLACED', 'ACCEPTED', 'READY', 'RIDER_ASSIGNED', 'PICKED_UP', 'DELIVERED']);
    const ids = board.events.map((e) => e.result.extensions!.streamId!);
    expect([...ids].sort(compareStreamIds)).toEqual(ids);
  });

  it("gives another store's merchant and another customer nothing", async () => {
    const otherBoard = await subscribed((await connect(OTHER_MERCHANT)).subscribe(STORE_ORDER_EVENTS, { storeId: OTHER_STORE.id }));
    const orderId = await placeOrderAt(system.url, STORE, OWNER);

    const peeking = (await connect(OTHER_MERCHANT)).subscribe(STORE_ORDER_EVENTS, { storeId: STORE.id });
    await peeking.ended;
    expect(peeking.errors.map((e) => e.extensions?.['code'])).toEqual(['FORBIDDEN']);

    const stranger = (await connect(OTHER_CUSTOMER)).subscribe(TRACK_ORDER, { orderId });
    await stranger.ended;
    expect(['FORBIDDEN', 'NOT_FOUND']).toContain(stranger.errors[0]?.extensions?.['code']);
    expect(stranger.events).toEqual([]);

    const customerOnBoard = (await connect(OWNER)).subscribe(STORE_ORDER_EVENTS, { storeId: STORE.id });
    await customerOnBoard.ended;
    expect(customerOnBoard.errors.map((e) => e.extensions?.['code'])).toEqual(['FORBIDDEN']);

    await mutate(ACCEPT_ORDER, { id: orderId }, MERCHANT);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(otherBoard.events).toEqual([]);
  });

  it('closes a connection without a valid token with 4401 UNAUTHENTICATED', async () => {
    const anonymous = await connect(null);
    expect(await anonymous.closed).toMatchObject({ code: 4401, reason: expect.stringMatching(/^UNAUTHENTICATED/) });
    const forged = await connect({ authorization: 'Bearer not.a.token' });
    expect(await forged.closed).toMatchObject({ code: 4401 });
  });

  it('closes a connection with 4401 when its token expires', async () => {
    const shortLived = await signToken(MERCHANT, secretKey(TEST_JWT_SECRET), '2s');
    const connection = await connect({ authorization: `Bearer ${shortLived}` });
    await subscribed(connection.subscribe(STORE_ORDER_EVENTS, { storeId: STORE.id }));
    expect(await connection.closed).toMatchObject({ code: 4401, reason: expect.stringMatching(/^UNAUTHENTICATED: The bearer token has expired/) });
  });

  it('refuses a subscription past the per-connection limit with RATE_LIMITED, and a connection past the per-principal limit with 4290', async () => {
    const principal = merchant('m-limits', STORE.id);
    const connection = await connect(principal);
    for (let i = 0; i < 3; i++) await subscribed(connection.subscribe(STORE_ORDER_EVENTS, { storeId: STORE.id }));
    const fourth = connection.subscribe(STORE_ORDER_EVENTS, { storeId: STORE.id });
    await fourth.ended;
    expect(fourth.errors.map((e) => e.extensions?.['code'])).toEqual(['RATE_LIMITED']);

    await connect(principal);
    await connect(principal);
    const over = await connect(principal);
    expect(await over.closed).toMatchObject({ code: 4290, reason: expect.stringMatching(/^RATE_LIMITED/) });
  });

  it('resumes after a reconnect with exactly the events missed, in order, none twice', async () => {
    const first = await connect(MERCHANT);
    const board = await subscribed(first.subscribe(STORE_ORDER_EVENTS, { storeId: STORE.id }));
    const orderId = await placeOrderAt(system.url, STORE, OWNER);
    const [placed] = await board.waitFor(1);
    const lastSeen = placed!.result.extensions!.streamId!;
    await first.close();

    // Three events while disconnected.
    const second = await placeOrderAt(system.url, STORE, OWNER);
    await mutate(ACCEPT_ORDER, { id: orderId }, MERCHANT);
    await mutate(CANCEL_ORDER, { id: second }, OWNER);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const resumed = (await connect(MERCHANT)).subscribe(STORE_ORDER_EVENTS, { storeId: STORE.id }, { resumeAfter: lastSeen });
    await resumed.waitFor(3);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(payloads(resumed, 'storeOrderEvents').map((e) => [e.type, e.order?.['id']])).toEqual([
      ['PLACED', second],
      ['ACCEPTED', orderId],
      ['CANCELLED', second],
    ]);
    // And it goes on live from there.
    await mutate(MARK_ORDER_READY, { id: orderId }, MERCHANT);
    await resumed.waitFor(4);
    expect(payloads(resumed, 'storeOrderEvents')[3]).toMatchObject({ type: 'READY', order: { id: orderId } });
  });

  it('refuses a resume point older than the stream keeps, or malformed, with BAD_USER_INPUT', async () => {
    const connection = await connect(MERCHANT);
    const stale = connection.subscribe(STORE_ORDER_EVENTS, { storeId: STORE.id }, { resumeAfter: `${Date.now() - 2 * 3_600_000}-0` });
    const malformed = connection.subscribe(STORE_ORDER_EVENTS, { storeId: STORE.id }, { resumeAfter: 'yesterday' });
    await Promise.all([stale.ended, malformed.ended]);
    expect(stale.errors.map((e) => e.extensions?.['code'])).toEqual(['BAD_USER_INPUT']);
    expect(malformed.errors.map((e) => e.extensions?.['code'])).toEqual(['BAD_USER_INPUT']);
  });

  it('serves queries over the same WebSocket through the same pipeline', async () => {
    const connection = await connect(merchant('m-over-ws', STORE.id));
    const result = connection.subscribe(contractOperation('StoreOrders'), { storeId: STORE.id, first: 1 });
    const [answer] = await result.waitFor(1);
    expect((answer!.result.data!['store'] as { id: string }).id).toBe(STORE.id);
  });
});

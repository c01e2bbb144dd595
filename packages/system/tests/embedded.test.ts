import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CITY_CENTER, World } from '@ordergraph/common';
import {
  connectSubscriptions, contractOperation, customer, graphql, merchant, openStore, placeOrderAt, rider, startTestSystem, TEST_WORLD, type TestSystem,
} from '@ordergraph/testkit';
import { cny, Expectations } from './expected.js';

/**
 * The embedded default (`npm start` with no MYSQL_URL or REDIS_URL): the same contract
 * queries and the write path, end to end through the gateway, on in-process SQLite and
 * without Redis.
 */

let system: TestSystem;
const world = new World(TEST_WORLD);
const expected = new Expectations(world);

beforeAll(async () => {
  system = await startTestSystem({ embedded: true });
});
afterAll(async () => {
  await system?.close();
});

type Data = Record<string, any>;

function send(operation: string, variables: Record<string, unknown> = {}, options: Parameters<typeof graphql>[3] = {}) {
  return graphql<Data>(system.url, contractOperation(operation), variables, options);
}

describe('the embedded default', () => {
  it('runs on the embedded database, without Redis', () => {
    for (const subgraph of Object.values(system.subgraphs)) {
      expect(subgraph.deps.db.dialect).toBe('embedded');
      expect(subgraph.deps.redis).toBeNull();
    }
  });

  it('serves Me from the seeded World', async () => {
    const result = await send('Me', {}, { principal: customer('u7') });

    expect(result.errors).toBeUndefined();
    expect(result.data?.['me']).toEqual(expected.me('u7'));
  });

  it("serves MyOrders: u7's orders newest first, as seeded", async () => {
    const result = await send('MyOrders', { first: 100 }, { principal: customer('u7') });

    expect(result.errors).toBeUndefined();
    expect(result.data?.['me'].orders.edges.map((e: Data) => e['node'])).toEqual(expected.ordersOf('u7').map((o) => expected.myOrdersNode(o)));
    expect(result.data?.['me'].orders.pageInfo.hasNextPage).toBe(false);
  });

  it('serves OrderDetail to the customer, the merchant and the rider of a delivered order', async () => {
    const order = expected.ordersOf('u7').find((o) => o.delivery !== null)!;
    const storeMerchant = merchant(`m${order.storeId.slice(1)}`, order.storeId);

    for (const principal of [customer('u7'), storeMerchant, rider(order.delivery!.riderId)]) {
      const result = await send('OrderDetail', { id: order.id }, { principal });

      expect(result.errors, principal.role).toBeUndefined();
      expect(result.data?.['order'], principal.role).toEqual(expected.orderDetail(order.id));
    }
  });

  it('serves NearbyStores: open stores, nearest first', async () => {
    const result = await send('NearbyStores', { lat: CITY_CENTER.lat, lng: CITY_CENTER.lng, first: 10 });

    expect(result.errors).toBeUndefined();
    expect(result.data?.['nearbyStores']).toEqual(expected.nearbyStores(CITY_CENTER.lat, CITY_CENTER.lng, 10));
  });

  it("serves StoreMenu: s3's whole menu", async () => {
    const result = await send('StoreMenu', { storeId: 's3' });

    expect(result.errors).toBeUndefined();
    expect(result.data?.['store']).toEqual(expected.storeMenu('s3'));
  });

  it("serves StoreOrders to s3's merchant, with and without a status filter", async () => {
    const all = await send('StoreOrders', { storeId: 's3' }, { principal: merchant('m3', 's3') });
    const placed = await send('StoreOrders', { storeId: 's3', status: ['PLACED'], first: 100 }, { principal: merchant('m3', 's3') });

    expect(all.errors).toBeUndefined();
    expect(all.data?.['store'].orders.edges.map((e: Data) => e['node'])).toEqual(
      expected.ordersOfStore('s3').slice(0, 20).map((o) => expected.storeOrdersNode(o)),
    );
    expect(placed.errors).toBeUndefined();
    expect(placed.data?.['store'].orders.edges.map((e: Data) => e['node'])).toEqual(
      expected.ordersOfStore('s3', ['PLACED']).map((o) => expected.storeOrdersNode(o)),
    );
  });

  it('places an order for a first-time customer with the delivery fee waived, shows it, and cancels it', async () => {
    const customerId = 'u20';
    expect(World.neverOrders(20)).toBe(true);
    const store = world.store(1);
    expect(store.isOpen).toBe(true);
    const item = world.menu(1).find((i) => i.available)!;
    const quantity = Math.ceil(store.minOrder / item.price);
    const itemsTotal = quantity * item.price;

    const placed = await send('PlaceOrder', {
      input: { storeId: store.id, items: [{ menuItemId: item.id, quantity }], idempotencyKey: 'embedded-first-order' },
    }, { principal: customer(customerId) });

    expect(placed.errors).toBeUndefined();
    const order = placed.data?.['placeOrder'];
    expect(order).toEqual({
      id: expect.any(String),
      status: 'PLACED',
      createdAt: expect.any(String),
      items: [{ quantity, unitPrice: cny(item.price), menuItem: { id: item.id, name: item.name } }],
      fees: { itemsTotal: cny(itemsTotal), deliveryFee: cny(store.deliveryFee), deliveryFeeWaived: cny(store.deliveryFee), payable: cny(itemsTotal) },
    });

    const listed = await send('MyOrders', {}, { principal: customer(customerId) });
    expect(listed.errors).toBeUndefined();
    expect(listed.data?.['me'].orders.edges.map((e: Data) => e['node'].id)).toEqual([order.id]);

    const cancelled = await send('CancelOrder', { id: order.id, reason: 'changed my mind' }, { principal: customer(customerId) });
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data?.['cancelOrder']).toEqual({ id: order.id, status: 'CANCELLED' });

    const detail = await send('OrderDetail', { id: order.id }, { principal: customer(customerId) });
    expect(detail.errors).toBeUndefined();
    expect(detail.data?.['order']).toMatchObject({
      id: order.id,
      status: 'CANCELLED',
      createdAt: order.createdAt,
      user: { id: customerId, name: world.user(20).name },
      store: { id: store.id, name: store.name },
      statusHistory: [{ status: 'PLACED', at: order.createdAt }, { status: 'CANCELLED', at: expect.any(String) }],
      delivery: null,
    });
    expect(Date.parse(detail.data?.['order'].updatedAt)).toBeGreaterThanOrEqual(Date.parse(order.createdAt));
  });

  it("delivers the store's new orders to its merchant's subscription, from the in-process event stream", async () => {
    const store = openStore(2);
    const client = await connectSubscriptions(system.url, merchant(`m${store.index}`, store.id));
    try {
      const board = client.subscribe(contractOperation('StoreOrderEvents'), { storeId: store.id });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const orderId = await placeOrderAt(system.url, store, customer('u9'));
      const [placed] = await board.waitFor(1, 2_000);
      expect(placed!.result.data?.['storeOrderEvents']).toMatchObject({ type: 'PLACED', order: { id: orderId, user: { id: 'u9', name: world.user(9).name } } });
    } finally {
      await client.close();
    }
  });
});

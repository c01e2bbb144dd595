import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CITY_CENTER, World } from '@ordergraph/common';
import {
  contractOperation, customer, errorCodes, graphql, merchant, rider, startTestSystem, TEST_WORLD, tokenFor,
  type GraphQLResult, type TestSystem,
} from '@ordergraph/testkit';
import { Expectations, indexOf, masked } from './expected.js';

/**
 * The contract's read operations, sent word for word through the gateway to the five
 * subgraphs on MariaDB and Redis, checked value by value against the seeded World.
 */

let system: TestSystem;
const world = new World(TEST_WORLD);
const expected = new Expectations(world);

beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.close();
});

type Data = Record<string, any>;

function send(operation: string, variables: Record<string, unknown> = {}, options: Parameters<typeof graphql>[3] = {}) {
  return graphql<Data>(system.url, contractOperation(operation), variables, options);
}

/** The contract: no error shows a stack trace, SQL or an internal address. */
function expectCleanErrors(result: GraphQLResult<unknown>): void {
  const serialized = JSON.stringify(result.errors ?? []);
  expect(serialized).not.toMatch(/stack|\bat .+:\d+:\d+|node:internal|\.ts:\d+/i);
  expect(serialized).not.toMatch(/\b(SELECT|INSERT|UPDATE|DELETE)\b.*\b(FROM|INTO|SET|WHERE)\b|\bER_[A-Z_]+|sqlMessage|mysql|maria/i);
  expect(serialized).not.toMatch(/127\.0\.0\.1|localhost|http:\/\/|https:\/\/|:\d{4,5}\b/);
}

/** The failure the contract names, and nothing of the data it guards. */
function expectOnlyCode(result: GraphQLResult<unknown>, code: string): void {
  expect(result.errors?.length ?? 0).toBeGreaterThan(0);
  expect(new Set(errorCodes(result))).toEqual(new Set([code]));
  expectCleanErrors(result);
}

const u7Orders = expected.ordersOf('u7');
/** An order of u7's that a rider has delivered: every OrderDetail field has a value. */
const u7Delivered = u7Orders.find((o) => o.delivery?.status === 'DELIVERED')!;
/** An order some rider holds right now, and a rider who does not hold it. */
const riderHeld = expected.orders.findLast((o) => o.delivery !== null && o.status !== 'DELIVERED')!;
const otherRider = `r${(indexOf(riderHeld.delivery!.riderId) % world.size.riders) + 1}`;
const s3Order = expected.ordersOfStore('s3')[0]!;
/** A user who has ordered but is not u7, to read u7's orders with. */
const u8 = 'u8';

describe('Me', () => {
  it('gives u7 their name, isFirstOrder false and the waived delivery fees of their orders that are not cancelled', async () => {
    const result = await send('Me', {}, { principal: customer('u7') });

    expect(result.errors).toBeUndefined();
    expect(result.data?.['me']).toEqual(expected.me('u7'));
    expect(result.data?.['me'].isFirstOrder).toBe(false);
    expect(result.data?.['me'].waivedDeliveryFeeTotal.amount).toBeGreaterThan(0);
  });

  it('tells a user who never ordered (u10) that their next order is their first, with nothing waived', async () => {
    expect(World.neverOrders(10)).toBe(true);

    const result = await send('Me', {}, { principal: customer('u10') });

    expect(result.errors).toBeUndefined();
    expect(result.data?.['me']).toEqual({ id: 'u10', name: world.user(10).name, isFirstOrder: true, waivedDeliveryFeeTotal: { amount: 0, currency: 'CNY' } });
  });
});

describe('MyOrders', () => {
  it("lists u7's orders newest first with their stores, items, fees and deliveries as seeded", async () => {
    expect(u7Orders.length).toBeGreaterThan(4);
    expect(u7Orders.length).toBeLessThanOrEqual(10);

    const result = await send('MyOrders', {}, { principal: customer('u7') });

    expect(result.errors).toBeUndefined();
    const me = result.data?.['me'];
    expect({ id: me.id, name: me.name, isFirstOrder: me.isFirstOrder, waivedDeliveryFeeTotal: me.waivedDeliveryFeeTotal }).toEqual(expected.me('u7'));
    expect(me.orders.edges.map((e: Data) => e['node'])).toEqual(u7Orders.map((o) => expected.myOrdersNode(o)));
    expect(me.orders.pageInfo).toEqual({ hasNextPage: false, endCursor: me.orders.edges.at(-1).cursor });
  });

  it('charges payable = itemsTotal + deliveryFee - deliveryFeeWaived on every order, in CNY fen', async () => {
    const result = await send('MyOrders', { first: 100 }, { principal: customer('u7') });

    const fees = result.data?.['me'].orders.edges.map((e: Data) => e['node'].fees);
    expect(fees.length).toBe(u7Orders.length);
    for (const f of fees) {
      expect(f.payable.amount).toBe(f.itemsTotal.amount + f.deliveryFee.amount - f.deliveryFeeWaived.amount);
      expect([f.itemsTotal, f.deliveryFee, f.deliveryFeeWaived, f.payable].every((m: Data) => m['currency'] === 'CNY' && Number.isInteger(m['amount']))).toBe(true);
      expect([0, f.deliveryFee.amount]).toContain(f.deliveryFeeWaived.amount);
    }
  });

  it('pages with after: each page continues where the last ended, with no overlap, and the last says hasNextPage false', async () => {
    const pages: Data[] = [];
    let after: string | undefined;
    do {
      const result = await send('MyOrders', { first: 4, ...(after ? { after } : {}) }, { principal: customer('u7') });
      expect(result.errors).toBeUndefined();
      const page = result.data?.['me'].orders;
      pages.push(page);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : undefined;
    } while (after && pages.length < 10);

    const ids = pages.flatMap((p) => p['edges'].map((e: Data) => e['node'].id));
    expect(pages.map((p) => p['edges'].length)).toEqual([4, 4, u7Orders.length - 8]);
    expect(pages.map((p) => p['pageInfo'].hasNextPage)).toEqual([true, true, false]);
    expect(ids).toEqual(u7Orders.map((o) => o.id));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('OrderDetail', () => {
  it("shows u7 their delivered order with its store, lines, fees, status history and rider", async () => {
    const result = await send('OrderDetail', { id: u7Delivered.id }, { principal: customer('u7') });

    expect(result.errors).toBeUndefined();
    expect(result.data?.['order']).toEqual(expected.orderDetail(u7Delivered.id));
  });

  it('shows an order no rider has taken yet with a null delivery', async () => {
    const waiting = u7Orders.find((o) => o.delivery === null)!;

    const result = await send('OrderDetail', { id: waiting.id }, { principal: customer('u7') });

    expect(result.errors).toBeUndefined();
    expect(result.data?.['order']).toEqual(expected.orderDetail(waiting.id));
    expect(result.data?.['order'].delivery).toBeNull();
  });

  it("lets the merchant of the order's store read it", async () => {
    const result = await send('OrderDetail', { id: s3Order.id }, { principal: merchant('m3', 's3') });

    expect(result.errors).toBeUndefined();
    expect(result.data?.['order']).toEqual(expected.orderDetail(s3Order.id));
  });

  it('lets the rider who holds an order read it', async () => {
    const result = await send('OrderDetail', { id: riderHeld.id }, { principal: rider(riderHeld.delivery!.riderId) });

    expect(result.errors).toBeUndefined();
    expect(result.data?.['order']).toEqual(expected.orderDetail(riderHeld.id));
  });
});

describe('NearbyStores', () => {
  it('lists every open store around the city centre, nearest first, with the metres to each', async () => {
    const result = await send('NearbyStores', { lat: CITY_CENTER.lat, lng: CITY_CENTER.lng });

    expect(result.errors).toBeUndefined();
    const stores: Data[] = result.data?.['nearbyStores'];
    expect(stores).toEqual(expected.nearbyStores(CITY_CENTER.lat, CITY_CENTER.lng, 20));
    expect(stores.length).toBe(world.size.stores - world.size.stores / 10);
    expect(stores.every((s) => s['isOpen'] === true && !World.isClosed(indexOf(s['id'])))).toBe(true);
    const distances = stores.map((s) => s['distanceMeters'] as number);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
  });

  it('gives only the nearest `first` stores from another point', async () => {
    const point = { lat: 31.2, lng: 121.5 };

    const result = await send('NearbyStores', { ...point, first: 5 });

    expect(result.errors).toBeUndefined();
    expect(result.data?.['nearbyStores']).toEqual(expected.nearbyStores(point.lat, point.lng, 5));
  });
});

describe('StoreMenu', () => {
  it("serves s3's details and its whole menu, in menu order, to a caller without a token", async () => {
    const result = await send('StoreMenu', { storeId: 's3' });

    expect(result.errors).toBeUndefined();
    expect(result.data?.['store']).toEqual(expected.storeMenu('s3'));
    expect(result.data?.['store'].menu.length).toBeGreaterThanOrEqual(20);
  });

  it('shows a closed store as closed, menu and all', async () => {
    expect(World.isClosed(10)).toBe(true);

    const result = await send('StoreMenu', { storeId: 's10' });

    expect(result.errors).toBeUndefined();
    expect(result.data?.['store']).toEqual(expected.storeMenu('s10'));
    expect(result.data?.['store'].isOpen).toBe(false);
  });

  it('answers null for a store that does not exist', async () => {
    const result = await send('StoreMenu', { storeId: 's9999' });

    expect(result.errors).toBeUndefined();
    expect(result.data?.['store']).toBeNull();
  });

  it('answers null for a store that does not exist when only its id is asked, as when its name is', async () => {
    const result = await graphql<Data>(system.url, '{ store(id: "s9999") { id } }');

    expect(result.errors).toBeUndefined();
    expect(result.data?.['store']).toBeNull();
  });
});

describe('StoreOrders', () => {
  it("shows s3's merchant the store's 20 newest orders with customers, lines, payable and riders", async () => {
    const all = expected.ordersOfStore('s3');
    expect(all.length).toBeGreaterThan(20);

    const result = await send('StoreOrders', { storeId: 's3' }, { principal: merchant('m3', 's3') });

    expect(result.errors).toBeUndefined();
    const store = result.data?.['store'];
    expect(store.id).toBe('s3');
    expect(store.name).toBe(world.store(3).name);
    expect(store.orders.edges.map((e: Data) => e['node'])).toEqual(all.slice(0, 20).map((o) => expected.storeOrdersNode(o)));
    expect(store.orders.pageInfo.hasNextPage).toBe(true);
  });

  it('filters by status: only the PLACED and ACCEPTED orders of s3, newest first', async () => {
    const wanted = expected.ordersOfStore('s3', ['PLACED', 'ACCEPTED']);
    expect(wanted.length).toBeGreaterThan(0);

    const result = await send('StoreOrders', { storeId: 's3', status: ['PLACED', 'ACCEPTED'], first: 100 }, { principal: merchant('m3', 's3') });

    expect(result.errors).toBeUndefined();
    const nodes: Data[] = result.data?.['store'].orders.edges.map((e: Data) => e['node']);
    expect(nodes).toEqual(wanted.map((o) => expected.storeOrdersNode(o)));
    expect(nodes.every((n) => ['PLACED', 'ACCEPTED'].includes(n['status']))).toBe(true);
    expect(result.data?.['store'].orders.pageInfo.hasNextPage).toBe(false);
  });

  it('continues the board from a cursor with the next orders and no overlap', async () => {
    const all = expected.ordersOfStore('s3');
    const first = await send('StoreOrders', { storeId: 's3', first: 7 }, { principal: merchant('m3', 's3') });
    const after = first.data?.['store'].orders.pageInfo.endCursor;

    const second = await send('StoreOrders', { storeId: 's3', first: 7, after }, { principal: merchant('m3', 's3') });

    expect(second.errors).toBeUndefined();
    expect(second.data?.['store'].orders.edges.map((e: Data) => e['node'].id)).toEqual(all.slice(7, 14).map((o) => o.id));
  });

  it('masks every customer phone but its last four digits', async () => {
    const result = await send('StoreOrders', { storeId: 's3', first: 50 }, { principal: merchant('m3', 's3') });

    const users: Data[] = result.data?.['store'].orders.edges.map((e: Data) => e['node'].user);
    expect(users.length).toBe(50);
    for (const user of users) {
      const phone = world.user(indexOf(user['id'])).phone;
      expect(user['phoneMasked']).toBe(masked(phone));
      expect(user['phoneMasked']).toMatch(/^\*+\d{4}$/);
      expect(user['phoneMasked']).toHaveLength(phone.length);
      expect(JSON.stringify(result)).not.toContain(phone);
    }
  });
});

describe('who may read what', () => {
  it("refuses u8 u7's order: FORBIDDEN (or NOT_FOUND) and none of the order", async () => {
    const result = await send('OrderDetail', { id: u7Delivered.id }, { principal: customer(u8) });

    expect(['FORBIDDEN', 'NOT_FOUND']).toContain(errorCodes(result)[0]);
    expectOnlyCode(result, errorCodes(result)[0]!);
    expect(result.data?.['order'] ?? null).toBeNull();
    expect(JSON.stringify(result)).not.toContain(world.store(indexOf(u7Delivered.storeId)).name);
  });

  it("refuses the merchant of s4 the order board of s3: FORBIDDEN and no orders", async () => {
    const result = await send('StoreOrders', { storeId: 's3' }, { principal: merchant('m4', 's4') });

    expectOnlyCode(result, 'FORBIDDEN');
    expect(result.data?.['store']?.orders ?? null).toBeNull();
    expect(JSON.stringify(result)).not.toMatch(/"o\d+"/);
  });

  it("refuses a customer a store's order board", async () => {
    const result = await send('StoreOrders', { storeId: 's3' }, { principal: customer('u7') });

    expectOnlyCode(result, 'FORBIDDEN');
    expect(result.data?.['store']?.orders ?? null).toBeNull();
  });

  it("refuses the merchant of s4 an order of s3", async () => {
    const result = await send('OrderDetail', { id: s3Order.id }, { principal: merchant('m4', 's4') });

    expect(['FORBIDDEN', 'NOT_FOUND']).toContain(errorCodes(result)[0]);
    expectOnlyCode(result, errorCodes(result)[0]!);
    expect(result.data?.['order'] ?? null).toBeNull();
  });

  it('refuses a rider an order another rider holds', async () => {
    const result = await send('OrderDetail', { id: riderHeld.id }, { principal: rider(otherRider) });

    expect(['FORBIDDEN', 'NOT_FOUND']).toContain(errorCodes(result)[0]);
    expectOnlyCode(result, errorCodes(result)[0]!);
    expect(result.data?.['order'] ?? null).toBeNull();
  });

  it.each(['Me', 'MyOrders'])('answers %s without a token with UNAUTHENTICATED and no user', async (operation) => {
    const result = await send(operation);

    expectOnlyCode(result, 'UNAUTHENTICATED');
    expect(result.data?.['me'] ?? null).toBeNull();
  });

  it('answers OrderDetail without a token with UNAUTHENTICATED and no order', async () => {
    const result = await send('OrderDetail', { id: u7Delivered.id });

    expectOnlyCode(result, 'UNAUTHENTICATED');
    expect(result.data?.['order'] ?? null).toBeNull();
  });

  it('serves store and menu reads without a token', async () => {
    const [menu, nearby] = await Promise.all([
      send('StoreMenu', { storeId: 's1' }),
      send('NearbyStores', { lat: CITY_CENTER.lat, lng: CITY_CENTER.lng, first: 3 }),
    ]);

    expect(menu.errors).toBeUndefined();
    expect(menu.data?.['store']).toEqual(expected.storeMenu('s1'));
    expect(nearby.errors).toBeUndefined();
    expect(nearby.data?.['nearbyStores']).toHaveLength(3);
  });

  it("gives a customer's full phone number to that customer only, not to the store's merchant", async () => {
    const query = 'query ($id: ID!) { order(id: $id) { id user { id phone } } }';
    const phone = world.user(indexOf(s3Order.userId)).phone;

    const owner = await graphql<Data>(system.url, query, { id: s3Order.id }, { principal: customer(s3Order.userId) });
    const storeMerchant = await graphql<Data>(system.url, query, { id: s3Order.id }, { principal: merchant('m3', 's3') });

    expect(owner.errors).toBeUndefined();
    expect(owner.data?.['order'].user).toEqual({ id: s3Order.userId, phone });
    expectOnlyCode(storeMerchant, 'FORBIDDEN');
    expect(storeMerchant.data?.['order']?.user?.phone ?? null).toBeNull();
    expect(JSON.stringify(storeMerchant)).not.toContain(phone);
  });
});

describe('bad requests', () => {
  it('refuses first: 101 with BAD_USER_INPUT and no orders', async () => {
    const result = await send('MyOrders', { first: 101 }, { principal: customer('u7') });

    expectOnlyCode(result, 'BAD_USER_INPUT');
    expect(result.data?.['me']?.orders ?? null).toBeNull();
  });

  it('refuses an after cursor it never wrote with BAD_USER_INPUT', async () => {
    const result = await send('MyOrders', { after: 'not-a-cursor' }, { principal: customer('u7') });

    expectOnlyCode(result, 'BAD_USER_INPUT');
    expect(result.data?.['me']?.orders ?? null).toBeNull();
  });

  it("refuses a garbage cursor on a store's order board with BAD_USER_INPUT", async () => {
    const result = await send('StoreOrders', { storeId: 's3', after: '%%%' }, { principal: merchant('m3', 's3') });

    expectOnlyCode(result, 'BAD_USER_INPUT');
    expect(result.data?.['store']?.orders ?? null).toBeNull();
  });

  it('refuses NearbyStores at latitude 200 with BAD_USER_INPUT', async () => {
    const result = await send('NearbyStores', { lat: 200, lng: CITY_CENTER.lng });

    expectOnlyCode(result, 'BAD_USER_INPUT');
    expect(result.data?.['nearbyStores'] ?? null).toBeNull();
  });

  it('refuses a variable of the wrong type with BAD_USER_INPUT', async () => {
    const result = await send('MyOrders', { first: 'ten' }, { principal: customer('u7') });

    expectOnlyCode(result, 'BAD_USER_INPUT');
    expect(result.data ?? null).toBeNull();
  });

  it('refuses a query it cannot parse with GRAPHQL_PARSE_FAILED', async () => {
    const result = await graphql(system.url, 'query MyOrders { me { id ', {}, { principal: customer('u7') });

    expectOnlyCode(result, 'GRAPHQL_PARSE_FAILED');
    expect(result.data ?? null).toBeNull();
  });

  it('refuses a field the schema does not have with GRAPHQL_VALIDATION_FAILED', async () => {
    const result = await graphql(system.url, '{ me { id passwordHash } }', {}, { principal: customer('u7') });

    expectOnlyCode(result, 'GRAPHQL_VALIDATION_FAILED');
    expect(result.data ?? null).toBeNull();
  });

  it('refuses a token signed with another secret with UNAUTHENTICATED', async () => {
    const forged = await tokenFor(customer('u7'), 'not-the-secret-the-gateway-knows');

    const result = await send('Me', {}, { authorization: `Bearer ${forged}` });

    expectOnlyCode(result, 'UNAUTHENTICATED');
    expect(result.data?.['me'] ?? null).toBeNull();
  });

  it('refuses a token that is not a JWT at all with UNAUTHENTICATED', async () => {
    const result = await send('MyOrders', {}, { authorization: 'Bearer not.a.jwt' });

    expectOnlyCode(result, 'UNAUTHENTICATED');
    expect(result.data?.['me'] ?? null).toBeNull();
  });

  it('answers NOT_FOUND for an order that does not exist', async () => {
    const result = await send('OrderDetail', { id: 'o99999999' }, { principal: customer('u7') });

    expectOnlyCode(result, 'NOT_FOUND');
    expect(result.data?.['order'] ?? null).toBeNull();
  });
});

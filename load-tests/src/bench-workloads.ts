/**
 * What the gateway benchmark sends: the contract's MyOrders and PlaceOrder, word for word,
 * each request as a different customer in turn. Our gateway joins identical concurrent
 * subgraph fetches of one caller; rotating over a hundred-odd customers keeps concurrent
 * requests distinct, so that joining helps neither gateway.
 */
import { World } from '@ordergraph/common';
import { contractOperation, customer, tokenFor, TEST_WORLD } from '@ordergraph/testkit';

export interface Workload {
  readonly name: string;
  /** A new body and token for each request. */
  readonly next: () => { body: string; authorization: string };
}

/** MyOrders asks for 10; customers with fewer would make some requests lighter than others. */
const MY_ORDERS_FIRST = 10;

/** Customers of the seeded world (TEST_WORLD) with at least MY_ORDERS_FIRST orders, in id order. */
export function customersWithFullPage(world = new World(TEST_WORLD)): string[] {
  const counts = new Map<string, number>();
  for (const order of world.orders()) counts.set(order.userId, (counts.get(order.userId) ?? 0) + 1);
  return [...counts].filter(([, n]) => n >= MY_ORDERS_FIRST).map(([id]) => id).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
}

/** A bearer header for each customer, handed out round-robin. */
export async function rotatingTokens(customerIds: readonly string[]): Promise<() => string> {
  if (customerIds.length === 0) throw new Error('rotatingTokens needs at least one customer; got none');
  const headers = await Promise.all(customerIds.map(async (id) => `Bearer ${await tokenFor(customer(id))}`));
  let turn = 0;
  return () => headers[turn++ % headers.length]!;
}

export function myOrders(nextToken: () => string): Workload {
  const body = JSON.stringify({ query: contractOperation('MyOrders'), variables: { first: MY_ORDERS_FIRST } });
  return { name: 'MyOrders', next: () => ({ body, authorization: nextToken() }) };
}

/**
 * PlaceOrder of a cart that passes every check: the first available item of store s1 (open)
 * in the quantity that reaches its minimum order, and a key no other request uses.
 */
export function placeOrder(nextToken: () => string, world = new World(TEST_WORLD)): Workload {
  const store = world.store(1);
  const item = world.menu(1).find((i) => i.available);
  if (!store.isOpen || !item) throw new Error(`store ${store.id} must be open with an available item to place orders at`);
  const quantity = Math.max(1, Math.ceil(store.minOrder / item.price));
  const query = contractOperation('PlaceOrder');
  const run = `bench-${process.pid}-${Date.now().toString(36)}`;
  let sequence = 0;
  return {
    name: 'PlaceOrder',
    next: () => ({
      body: JSON.stringify({
        query,
        variables: { input: { storeId: store.id, items: [{ menuItemId: item.id, quantity }], idempotencyKey: `${run}-${sequence++}` } },
      }),
      authorization: nextToken(),
    }),
  };
}

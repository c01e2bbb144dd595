/**
 * Who sends the mix, taken from the seeded World so that every request is one the contract
 * allows: customers with their own orders, the merchant of each open store, riders.
 */
import { World, type WorldSize } from '@ordergraph/common';
import { customer, merchant, rider, tokenFor } from '@ordergraph/testkit';

export interface MixCustomer {
  readonly id: string;
  readonly authorization: string;
  /** Their newest orders, newest first: what OrderDetail opens. */
  readonly recentOrderIds: readonly string[];
}

export interface MixStore {
  readonly id: string;
  /** The store's merchant (`m<k>` for `s<k>`). */
  readonly merchantAuthorization: string;
  /** A cart that passes every check: the first available item, in the quantity that reaches the minimum order. */
  readonly cart: ReadonlyArray<{ readonly menuItemId: string; readonly quantity: number }>;
}

export interface MixRider {
  readonly id: string;
  readonly authorization: string;
  readonly lat: number;
  readonly lng: number;
}

export interface MixPrincipals {
  readonly customers: readonly MixCustomer[];
  readonly stores: readonly MixStore[];
  readonly riders: readonly MixRider[];
}

/** MyOrders asks for 10: customers with fewer would make some requests lighter than others. */
const MIN_CUSTOMER_ORDERS = 10;
/** OrderDetail opens one of a customer's newest few: the orders a customer looks at again. */
const RECENT_ORDERS_PER_CUSTOMER = 3;
/**
 * At most this many of each, spread evenly over the ids: enough that concurrent requests are
 * distinct (our gateway joins identical concurrent fetches), few enough to sign their tokens in
 * a second. The test world has fewer of each anyway.
 */
const MAX_CUSTOMERS = 500;
const MAX_STORES = 500;
const MAX_RIDERS = 200;

/** Every `length / max`-th element, in order: spread over the whole id range. */
function spread<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)]!);
}

const bearer = async (principal: Parameters<typeof tokenFor>[0]) => `Bearer ${await tokenFor(principal)}`;

/** Reads the world's orders once (about 8 s for a million) and signs each principal's token. */
export async function mixPrincipals(size: WorldSize): Promise<MixPrincipals> {
  const world = new World(size);
  const ordersByUser = new Map<string, string[]>();
  for (const order of world.orders()) {
    const list = ordersByUser.get(order.userId);
    if (list) list.push(order.id);
    else ordersByUser.set(order.userId, [order.id]);
  }
  const eligible = [...ordersByUser]
    .filter(([, ids]) => ids.length >= MIN_CUSTOMER_ORDERS)
    .sort(([a], [b]) => Number(a.slice(1)) - Number(b.slice(1)));
  const customers = await Promise.all(
    spread(eligible, MAX_CUSTOMERS).map(async ([id, ids]) => ({
      id,
      authorization: await bearer(customer(id)),
      // World orders come oldest first.
      recentOrderIds: ids.slice(-RECENT_ORDERS_PER_CUSTOMER).reverse(),
    })),
  );
  const openIndexes = Array.from({ length: size.stores }, (_, i) => i + 1).filter((i) => !World.isClosed(i));
  const stores = await Promise.all(
    spread(openIndexes, MAX_STORES).map(async (index) => {
      const store = world.store(index);
      const item = world.menu(index).find((i) => i.available);
      if (!item) throw new Error(`store ${store.id} has no available item to order`);
      return {
        id: store.id,
        merchantAuthorization: await bearer(merchant(`m${index}`, store.id)),
        cart: [{ menuItemId: item.id, quantity: Math.max(1, Math.ceil(store.minOrder / item.price)) }],
      };
    }),
  );
  const riderIndexes = Array.from({ length: size.riders }, (_, i) => i + 1);
  const riders = await Promise.all(
    spread(riderIndexes, MAX_RIDERS).map(async (index) => {
      const { id, lat, lng } = world.rider(index);
      return { id, authorization: await bearer(rider(id)), lat, lng };
    }),
  );
  if (customers.length === 0) throw new Error(`the world (${JSON.stringify(size)}) has no customer with ${MIN_CUSTOMER_ORDERS} orders`);
  return { customers, stores, riders };
}

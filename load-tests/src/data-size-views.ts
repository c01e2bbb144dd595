/**
 * The read views data-size measures, with the same principals picked the same way in every
 * world, so that two worlds differ only in how much data lies around the rows a view reads.
 * Targets come from the World itself (ids, creation times), so deep pages need no paging.
 */
import { CITY_CENTER, encodeCursor, seededRandom, World, type WorldSize } from '@ordergraph/common';
import { contractOperation, customer, merchant, tokenFor } from '@ordergraph/testkit';
import type { MixRequest } from './mix-paced-load.js';

export interface View {
  readonly name: string;
  /** What a request reads, in this world (rows per answer, how deep the page is). */
  readonly note: string;
  /** Cycled through in order. */
  readonly requests: readonly MixRequest[];
  /**
   * Each request is a first read (caches cold): no warm-up, and the run ends when the list
   * does, rather than cycling back to requests already served.
   */
  readonly firstReads?: boolean;
}

/** Distinct principals a view rotates over: as many in every world, so caches hold the same share of them. */
const VIEW_PRINCIPALS = 100;
/** First reads: customers with a full page beyond the VIEW_PRINCIPALS busiest, drawn at random, each requested once. */
const FIRST_READ_CUSTOMERS = 300;
const MY_ORDERS_FIRST = 10;
const STORE_ORDERS_FIRST = 20;
/** The merchant dashboard's board (clients/merchant-dashboard/public/gateway.js OPEN_STATUSES). */
const OPEN_STATUSES = ['PLACED', 'ACCEPTED', 'READY'] as const;
/** Home screens within this of the city centre, in degrees (about ±5 km). */
const NEARBY_SPREAD_DEG = 0.05;

interface OrderRef {
  readonly id: string;
  readonly createdAtMs: number;
  readonly status: string;
}

const mean = (values: readonly number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);
const request = (operation: string, variables: Record<string, unknown>, authorization: string): MixRequest => ({
  operation,
  body: JSON.stringify({ query: contractOperation(operation), variables }),
  authorization,
});

/** Owners (customers or stores) by how many orders they have, most first, ties by id. */
function busiest(orders: ReadonlyMap<string, OrderRef[]>): Array<[string, OrderRef[]]> {
  return [...orders].sort(([a, x], [b, y]) => y.length - x.length || Number(a.slice(1)) - Number(b.slice(1)));
}

/** The page after skipping all but the owner's oldest `first` orders: the deepest a client pages. */
function deepestPage(orders: readonly OrderRef[], first: number): { after: string; skipped: number } | null {
  // World orders come oldest first; pages go newest first.
  if (orders.length <= first) return null;
  const newestFirst = [...orders].reverse();
  const skipped = newestFirst.length - first;
  const last = newestFirst[skipped - 1]!;
  return { after: encodeCursor({ createdAtMs: last.createdAtMs, id: last.id }), skipped };
}

/** Reads the world's orders once (about 8 s for a million) and builds every view. */
export async function dataSizeViews(size: WorldSize): Promise<View[]> {
  const world = new World(size);
  const byUser = new Map<string, OrderRef[]>();
  const byStore = new Map<string, OrderRef[]>();
  const append = (map: Map<string, OrderRef[]>, key: string, ref: OrderRef) => {
    const list = map.get(key);
    if (list) list.push(ref);
    else map.set(key, [ref]);
  };
  for (const { id, userId, storeId, createdAtMs, status } of world.orders()) {
    const ref = { id, createdAtMs, status };
    append(byUser, userId, ref);
    append(byStore, storeId, ref);
  }
  const rankedCustomers = busiest(byUser);
  const customers = await Promise.all(
    rankedCustomers.slice(0, VIEW_PRINCIPALS).map(async ([id, orders]) => ({ id, orders, authorization: `Bearer ${await tokenFor(customer(id))}` })),
  );
  // Drawn afresh each run: the kept world's Redis keeps profiles and precomputed values of customers an earlier run read.
  const pickFirstReader = seededRandom(Date.now());
  const others = rankedCustomers.slice(VIEW_PRINCIPALS).filter(([, orders]) => orders.length >= MY_ORDERS_FIRST);
  for (let i = others.length - 1; i > 0; i--) {
    const j = Math.floor(pickFirstReader() * (i + 1));
    [others[i], others[j]] = [others[j]!, others[i]!];
  }
  const firstReaders = await Promise.all(
    others.slice(0, FIRST_READ_CUSTOMERS).map(async ([id, orders]) => ({ id, orders, authorization: `Bearer ${await tokenFor(customer(id))}` })),
  );
  const stores = await Promise.all(
    busiest(byStore).slice(0, VIEW_PRINCIPALS).map(async ([id, orders]) => ({ id, orders, authorization: `Bearer ${await tokenFor(merchant(`m${id.slice(1)}`, id))}` })),
  );
  // Boards with open orders: the stores of the world's newest orders (only they are still under way).
  const openByStore = new Map<string, number>();
  for (const [id, orders] of byStore) {
    const open = orders.filter((o) => (OPEN_STATUSES as readonly string[]).includes(o.status)).length;
    if (open > 0) openByStore.set(id, open);
  }
  const boards = await Promise.all(
    [...openByStore].sort(([a, x], [b, y]) => y - x || Number(a.slice(1)) - Number(b.slice(1))).slice(0, VIEW_PRINCIPALS)
      .map(async ([id, open]) => ({ id, open, authorization: `Bearer ${await tokenFor(merchant(`m${id.slice(1)}`, id))}` })),
  );
  const anyCustomer = customers[0]!.authorization;
  const openStoreIndexes = Array.from({ length: size.stores }, (_, i) => i + 1).filter((i) => !World.isClosed(i));
  const menuStores = Array.from({ length: Math.min(VIEW_PRINCIPALS, openStoreIndexes.length) }, (_, i) =>
    openStoreIndexes[Math.floor((i * openStoreIndexes.length) / Math.min(VIEW_PRINCIPALS, openStoreIndexes.length))]!);
  const random = seededRandom(11_22);
  const points = Array.from({ length: VIEW_PRINCIPALS }, () => ({
    lat: CITY_CENTER.lat + (random() * 2 - 1) * NEARBY_SPREAD_DEG,
    lng: CITY_CENTER.lng + (random() * 2 - 1) * NEARBY_SPREAD_DEG,
  }));

  const deepCustomers = customers.flatMap((c) => {
    const page = deepestPage(c.orders, MY_ORDERS_FIRST);
    return page ? [{ ...c, ...page }] : [];
  });
  const deepStores = stores.flatMap((s) => {
    const page = deepestPage(s.orders, STORE_ORDERS_FIRST);
    return page ? [{ ...s, ...page }] : [];
  });
  const fixed = (x: number) => x.toFixed(0);

  return [
    {
      name: 'MyOrders first:10',
      note: `${customers.length} busiest customers, ${fixed(mean(customers.map((c) => c.orders.length)))} orders each`,
      requests: customers.map((c) => request('MyOrders', { first: MY_ORDERS_FIRST }, c.authorization)),
    },
    {
      name: 'MyOrders first:10, deepest page',
      note: `after ${fixed(mean(deepCustomers.map((c) => c.skipped)))} orders (keyset cursor)`,
      requests: deepCustomers.map((c) => request('MyOrders', { first: MY_ORDERS_FIRST, after: c.after }, c.authorization)),
    },
    {
      name: 'MyOrders first:10, first read',
      note: `${firstReaders.length} other customers at random, once each`,
      requests: firstReaders.map((c) => request('MyOrders', { first: MY_ORDERS_FIRST }, c.authorization)),
      firstReads: true,
    },
    {
      name: 'OrderDetail',
      note: 'newest, middle and oldest order of each',
      requests: customers.flatMap((c) =>
        [c.orders.at(-1)!, c.orders[c.orders.length >> 1]!, c.orders[0]!].map((o) => request('OrderDetail', { id: o.id }, c.authorization))),
    },
    {
      name: 'StoreOrders first:20',
      note: `${stores.length} busiest stores, ${fixed(mean(stores.map((s) => s.orders.length)))} orders each`,
      requests: stores.map((s) => request('StoreOrders', { storeId: s.id, first: STORE_ORDERS_FIRST }, s.authorization)),
    },
    {
      name: 'StoreOrders first:20, deepest page',
      note: `after ${fixed(mean(deepStores.map((s) => s.skipped)))} orders (keyset cursor)`,
      requests: deepStores.map((s) => request('StoreOrders', { storeId: s.id, first: STORE_ORDERS_FIRST, after: s.after }, s.authorization)),
    },
    {
      name: 'StoreOrders open board',
      note: `status PLACED/ACCEPTED/READY, ${boards.length} stores, ${mean(boards.map((b) => Math.min(b.open, STORE_ORDERS_FIRST))).toFixed(1)} rows each`,
      requests: boards.map((b) => request('StoreOrders', { storeId: b.id, status: OPEN_STATUSES, first: STORE_ORDERS_FIRST }, b.authorization)),
    },
    {
      name: 'NearbyStores',
      note: `first:20 of ${openStoreIndexes.length} open stores, all within the 10 km radius`,
      requests: points.map((p) => request('NearbyStores', p, anyCustomer)),
    },
    {
      name: 'StoreMenu',
      note: `${menuStores.length} stores spread over the ids`,
      requests: menuStores.map((index) => request('StoreMenu', { storeId: `s${index}` }, anyCustomer)),
    },
    {
      name: 'Me',
      note: `${customers.length} busiest customers`,
      requests: customers.map((c) => request('Me', {}, c.authorization)),
    },
  ];
}

/**
 * The order flow of the subscriptions benchmark: paced (open-loop) placeOrder over the stores
 * in turn, each placed order then accepted by its store's merchant, both with the contract's
 * operations. It remembers the events it caused, store by store: what every subscriber of
 * that store must receive exactly once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { World } from '@ordergraph/common';
import { contractOperation, customer, graphql, tokenFor, TEST_WORLD, type GraphQLResult } from '@ordergraph/testkit';
import { merchantOf } from './subscriptions-subscribers.js';

const PLACE_ORDER = contractOperation('PlaceOrder');
const ACCEPT_ORDER = contractOperation('AcceptOrder');

export interface OrderFlowSpec {
  readonly gatewayUrl: string;
  readonly world: World;
  /** Store indices (open ones) the orders go to, in turn. */
  readonly storeIndices: readonly number[];
  readonly ratePerS: number;
  /** Orders flow this long before the measured part; their events are checked like the rest. */
  readonly warmUpS: number;
  readonly durationS: number;
  /** Called as the first measured order is due. */
  readonly onMeasureStart: () => void;
}

export interface OrderFlowResult {
  /** Store id → the `${orderId} ${type}` keys of the events this flow caused there. */
  readonly expected: ReadonlyMap<string, ReadonlySet<string>>;
  readonly placed: number;
  readonly accepted: number;
  /** Events caused by orders of the measured part. */
  readonly measuredEvents: number;
  /** Failed calls by operation and contract code (or transport error). */
  readonly failures: ReadonlyMap<string, number>;
  /** How late the sender was at its worst: a busy load generator shows here. */
  readonly maxSendLagMs: number;
}

export const eventKey = (orderId: string, type: string) => `${orderId} ${type}`;

/** Runs the flow for `warmUpS` + `durationS` at `ratePerS` placements a second, then waits for every call it started. */
export async function runOrderFlow(spec: OrderFlowSpec): Promise<OrderFlowResult> {
  const carts = spec.storeIndices.map((index) => cartFor(spec.world, index));
  // Customers in turn, so that no two placements in flight wait on one customer's stats row lock.
  const customers = await Promise.all(
    Array.from({ length: TEST_WORLD.users }, async (_, i) => `Bearer ${await tokenFor(customer(`u${i + 1}`))}`),
  );
  const merchants = new Map(await Promise.all(carts.map(async (c) => [c.storeId, `Bearer ${await tokenFor(merchantOf(c.storeId))}`] as const)));
  const expected = new Map(carts.map((c) => [c.storeId, new Set<string>()]));
  const failures = new Map<string, number>();
  let placed = 0;
  let accepted = 0;
  let measuredEvents = 0;
  const firstMeasured = Math.round(spec.ratePerS * spec.warmUpS);
  const fail = (operation: string, result: GraphQLResult<unknown> | null) => {
    const code = result ? String(result.errors?.[0]?.extensions?.['code'] ?? 'NO_DATA') : 'TRANSPORT';
    const key = `${operation} ${code}`;
    failures.set(key, (failures.get(key) ?? 0) + 1);
  };
  const call = async <Data>(operation: string, query: string, variables: Record<string, unknown>, authorization: string) => {
    try {
      const result = await graphql<Data>(spec.gatewayUrl, query, variables, { authorization });
      if (!result.errors && result.data) return result.data;
      fail(operation, result);
    } catch {
      fail(operation, null);
    }
    return null;
  };

  const run = `bench-subs-${process.pid}-${Date.now().toString(36)}`;
  const placeAndAccept = async (n: number) => {
    const cart = carts[n % carts.length]!;
    const input = { storeId: cart.storeId, items: cart.items, idempotencyKey: `${run}-${n}` };
    const order = await call<{ placeOrder: { id: string } }>('placeOrder', PLACE_ORDER, { input }, customers[n % customers.length]!);
    if (!order) return;
    placed++;
    if (n >= firstMeasured) measuredEvents++;
    const events = expected.get(cart.storeId)!;
    events.add(eventKey(order.placeOrder.id, 'PLACED'));
    const acceptance = await call('acceptOrder', ACCEPT_ORDER, { id: order.placeOrder.id }, merchants.get(cart.storeId)!);
    if (!acceptance) return;
    accepted++;
    if (n >= firstMeasured) measuredEvents++;
    events.add(eventKey(order.placeOrder.id, 'ACCEPTED'));
  };

  const total = firstMeasured + Math.round(spec.ratePerS * spec.durationS);
  const inFlight: Array<Promise<void>> = [];
  let maxSendLagMs = 0;
  const started = performance.now();
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1_000) / spec.ratePerS;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    maxSendLagMs = Math.max(maxSendLagMs, performance.now() - due);
    if (n === firstMeasured) spec.onMeasureStart();
    inFlight.push(placeAndAccept(n));
  }
  await Promise.all(inFlight);
  return { expected, placed, accepted, measuredEvents, failures, maxSendLagMs };
}

/** The store's first available item, in the quantity that reaches its minimum order. */
function cartFor(world: World, index: number) {
  const store = world.store(index);
  const item = world.menu(index).find((i) => i.available);
  if (!store.isOpen || !item) throw new Error(`store ${store.id} must be open with an available item to take orders; it is ${store.isOpen ? 'open' : 'closed'} with ${item ? 'one' : 'none'}`);
  return { storeId: store.id, items: [{ menuItemId: item.id, quantity: Math.max(1, Math.ceil(store.minOrder / item.price)) }] };
}

/**
 * The lunch-peak mix of the contract's operations, word for word, each request from a
 * principal the contract allows, in fixed shares of the requests.
 */
import { contractOperation } from '@ordergraph/testkit';
import { CITY_CENTER, seededRandom } from '@ordergraph/common';
import type { MixPrincipals } from './mix-principals.js';
import type { MixRequest } from './mix-paced-load.js';
import { STATUS_CHANGE_OPERATIONS, StatusPipeline, type PlacedOrder } from './mix-status-pipeline.js';

export type MixKind = 'MyOrders' | 'OrderDetail' | 'NearbyStores' | 'StoreMenu' | 'StoreOrders' | 'Me' | 'PlaceOrder' | 'StatusChange' | 'UpdateLocation';

/**
 * Shares of the requests, in percent. DESIGN.md's lunch peak: reads outnumber writes by one or
 * two orders of magnitude, MyOrders and OrderDetail dominate, a steady stream of placeOrder and
 * status changes, rider location updates.
 * - MyOrders 30, OrderDetail 24: a customer who has ordered watches the order, reopening the
 *   list and the order page until the food arrives.
 * - NearbyStores 12, StoreMenu 11: browsing before checkout, about three of each per order placed.
 * - StoreOrders 8: merchants' boards reloading (their live part is the StoreOrderEvents
 *   subscription, measured by bench:subscriptions); half the open-orders board, half the history.
 * - Me 5: the profile header, once per app start.
 * - PlaceOrder 4, status changes 4: reads 90 % to writes 10 %, the heavy end of the range,
 *   as lunch is when orders are placed. A whole lifecycle is five changes spread over half an
 *   hour, so 4 % (one change per order placed) follows the issue's "steady stream" rather
 *   than the five-to-one of a day's totals: the trade path is measured by kind, not weighed.
 * - UpdateLocation 2: each rider on duty every few seconds; the test world's 10 riders sending
 *   every 5 to 10 s make 1 to 2 a second, 2 to 5 % of the 40 to 60/s this machine serves.
 */
export const MIX_SHARES: ReadonlyArray<readonly [MixKind, number]> = [
  ['MyOrders', 30],
  ['OrderDetail', 24],
  ['NearbyStores', 12],
  ['StoreMenu', 11],
  ['StoreOrders', 8],
  ['Me', 5],
  ['PlaceOrder', 4],
  ['StatusChange', 4],
  ['UpdateLocation', 2],
];

export const QUERY_OPERATIONS: readonly string[] = ['MyOrders', 'OrderDetail', 'NearbyStores', 'StoreMenu', 'StoreOrders', 'Me'];
export const MUTATION_OPERATIONS: readonly string[] = ['PlaceOrder', ...STATUS_CHANGE_OPERATIONS, 'UpdateLocation'];
export { STATUS_CHANGE_OPERATIONS };

/** The merchant dashboard's board (clients/merchant-dashboard/public/gateway.js OPEN_STATUSES). */
const OPEN_STATUSES = ['PLACED', 'ACCEPTED', 'READY'];
/** Customers open the home screen within this of the city centre, in degrees (about ±5 km). */
const NEARBY_SPREAD_DEG = 0.05;
/** A rider moves about this far between two updates, in degrees (about 20 m). */
const RIDER_STEP_DEG = 0.0002;
/** Orders this run placed that OrderDetail may open: the newest ones, as customers watch a fresh order. */
const PLACED_KEPT_FOR_DETAIL = 200;

/**
 * Smooth weighted round-robin (nginx's): every 100 requests hold each kind exactly its share,
 * interleaved as evenly as the weights allow, the same sequence on every run.
 */
function weightedTurns(shares: ReadonlyArray<readonly [MixKind, number]>): () => MixKind {
  const total = shares.reduce((sum, [, weight]) => sum + weight, 0);
  const current = shares.map(() => 0);
  return () => {
    let best = 0;
    shares.forEach(([, weight], i) => {
      current[i]! += weight;
      if (current[i]! > current[best]!) best = i;
    });
    current[best]! -= total;
    return shares[best]![0];
  };
}

/** Round-robin over a list. */
function rotating<T>(items: readonly T[]): () => T {
  if (items.length === 0) throw new Error('rotating() needs at least one item; got none');
  let turn = 0;
  return () => items[turn++ % items.length]!;
}

export class LunchPeakMix {
  readonly pipeline: StatusPipeline;
  /** Status-change turns that found no order waiting and sent an UpdateLocation instead. */
  statusTurnsWithoutOrder = 0;
  private readonly nextKind = weightedTurns(MIX_SHARES);
  private readonly queries = new Map<string, string>();
  private readonly nextCustomer;
  private readonly nextRider;
  private readonly nextMerchantStore;
  private readonly nextMenuStore;
  private readonly nextPlacingCustomer;
  private readonly nextPlacingStore;
  private readonly nextDetailCustomer;
  private readonly merchantByStore: ReadonlyMap<string, string>;
  private readonly random = seededRandom(2026_11_22);
  private readonly placed: Array<{ authorization: string; id: string }> = [];
  private readonly runKey = `mix-${process.pid}-${Date.now().toString(36)}`;
  private sequence = 0;
  private detailTurn = 0;
  private boardTurn = 0;
  private riderMoves = 0;

  constructor(private readonly principals: MixPrincipals) {
    for (const name of [...QUERY_OPERATIONS, 'PlaceOrder', 'UpdateLocation']) this.queries.set(name, contractOperation(name));
    this.nextCustomer = rotating(principals.customers);
    this.nextDetailCustomer = rotating(principals.customers);
    this.nextPlacingCustomer = rotating(principals.customers);
    this.nextMerchantStore = rotating(principals.stores);
    this.nextMenuStore = rotating(principals.stores);
    this.nextPlacingStore = rotating(principals.stores);
    this.nextRider = rotating(principals.riders);
    this.merchantByStore = new Map(principals.stores.map((s) => [s.id, s.merchantAuthorization]));
    const riderHeaders = rotating(principals.riders.map((r) => r.authorization));
    this.pipeline = new StatusPipeline({
      merchantOf: (storeId) => {
        const authorization = this.merchantByStore.get(storeId);
        if (!authorization) throw new Error(`no merchant for store ${storeId}`);
        return authorization;
      },
      nextRider: riderHeaders,
    });
  }

  next(): MixRequest {
    return this.request(this.nextKind());
  }

  /** One request of `kind`; StatusChange falls back to UpdateLocation when no order waits for a step. */
  request(kind: MixKind): MixRequest {
    switch (kind) {
      case 'MyOrders': {
        const { authorization } = this.nextCustomer();
        return this.build('MyOrders', { first: 10 }, authorization);
      }
      case 'OrderDetail': {
        // Every other one opens an order this run placed, when there is one: the order a customer is waiting for.
        const fresh = this.detailTurn++ % 2 === 1 && this.placed.length > 0 ? this.placed[Math.floor(this.random() * this.placed.length)] : undefined;
        if (fresh) return this.build('OrderDetail', { id: fresh.id }, fresh.authorization);
        const who = this.nextDetailCustomer();
        return this.build('OrderDetail', { id: who.recentOrderIds[Math.floor(this.random() * who.recentOrderIds.length)]! }, who.authorization);
      }
      case 'NearbyStores': {
        const lat = CITY_CENTER.lat + (this.random() * 2 - 1) * NEARBY_SPREAD_DEG;
        const lng = CITY_CENTER.lng + (this.random() * 2 - 1) * NEARBY_SPREAD_DEG;
        return this.build('NearbyStores', { lat, lng }, this.nextCustomer().authorization);
      }
      case 'StoreMenu':
        return this.build('StoreMenu', { storeId: this.nextMenuStore().id }, this.nextCustomer().authorization);
      case 'StoreOrders': {
        const store = this.nextMerchantStore();
        const board = this.boardTurn++ % 2 === 0;
        return this.build('StoreOrders', board ? { storeId: store.id, status: OPEN_STATUSES } : { storeId: store.id }, store.merchantAuthorization);
      }
      case 'Me':
        return this.build('Me', {}, this.nextCustomer().authorization);
      case 'PlaceOrder':
        return this.placeOrder();
      case 'StatusChange': {
        const step = this.pipeline.next();
        if (step) return step;
        this.statusTurnsWithoutOrder++;
        return this.request('UpdateLocation');
      }
      case 'UpdateLocation': {
        const rider = this.nextRider();
        // A short walk out from the seeded position and back, so that positions stay in town.
        const offset = RIDER_STEP_DEG * ((this.riderMoves++ % 20) - 10);
        return this.build('UpdateLocation', { lat: rider.lat + offset, lng: rider.lng + offset }, rider.authorization);
      }
    }
  }

  private placeOrder(): MixRequest {
    const customer = this.nextPlacingCustomer();
    const store = this.nextPlacingStore();
    const input = { storeId: store.id, items: store.cart, idempotencyKey: `${this.runKey}-${this.sequence++}` };
    return {
      ...this.build('PlaceOrder', { input }, customer.authorization),
      onAnswer: (answer) => {
        const order = (answer?.data as { placeOrder?: { id?: string } } | null | undefined)?.placeOrder;
        if (answer?.errors?.length || !order?.id) return;
        const placed: PlacedOrder = { id: order.id, storeId: store.id };
        this.pipeline.add(placed);
        this.placed.push({ authorization: customer.authorization, id: order.id });
        if (this.placed.length > PLACED_KEPT_FOR_DETAIL) this.placed.shift();
      },
    };
  }

  private build(operation: string, variables: Record<string, unknown>, authorization: string): MixRequest {
    return { operation, body: JSON.stringify({ query: this.queries.get(operation), variables }), authorization };
  }
}

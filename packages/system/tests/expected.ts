import { expect } from 'vitest';
import { haversineMeters, type World, type WorldMenuItem, type WorldOrder, type WorldStore } from '@ordergraph/common';

/**
 * What each contract query must return, computed from the seeded World: the system seeds
 * `new World(size)`, so regenerating it here gives the rows the subgraphs hold.
 */

export interface Money {
  readonly amount: number;
  readonly currency: string;
}

export const cny = (amount: number): Money => ({ amount, currency: 'CNY' });
export const iso = (ms: number): string => new Date(ms).toISOString();

/** `u7` → 7: the World's entities are numbered from their ids. */
export const indexOf = (id: string): number => Number(/^[a-z]+(\d+)$/.exec(id)?.[1] ?? NaN);

/** Every digit but the last four as `*`, as the contract's User.phoneMasked says. */
export const masked = (phone: string): string => '*'.repeat(phone.length - 4) + phone.slice(-4);

/**
 * Rider positions live in Redis GEO on the real servers, which keeps them to about half a
 * metre: four decimals of a degree (about 10 m) is what a client can count on.
 */
const nearly = (degrees: number) => expect.closeTo(degrees, 4);

/** The lists' order: newest first, ties by id, as the order subgraph pages them. */
export function newestFirst(a: WorldOrder, b: WorldOrder): number {
  return b.createdAtMs - a.createdAtMs || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0);
}

export class Expectations {
  readonly orders: readonly WorldOrder[];
  private readonly menus = new Map<number, WorldMenuItem[]>();

  constructor(readonly world: World) {
    this.orders = [...world.orders()];
  }

  store(id: string): WorldStore {
    return this.world.store(indexOf(id));
  }

  menuItem(id: string): WorldMenuItem {
    const match = /^i(\d+)-(\d+)$/.exec(id);
    if (!match) throw new Error(`not a menu item id: ${id}`);
    const storeIndex = Number(match[1]);
    let menu = this.menus.get(storeIndex);
    if (!menu) this.menus.set(storeIndex, (menu = this.world.menu(storeIndex)));
    const item = menu[Number(match[2]) - 1];
    if (!item) throw new Error(`store s${storeIndex} has no item ${id}`);
    return item;
  }

  order(id: string): WorldOrder {
    const order = this.orders[indexOf(id) - 1];
    if (order?.id !== id) throw new Error(`the World has no order ${id}`);
    return order;
  }

  ordersOf(userId: string): WorldOrder[] {
    return this.orders.filter((o) => o.userId === userId).sort(newestFirst);
  }

  ordersOfStore(storeId: string, statuses?: readonly string[]): WorldOrder[] {
    return this.orders.filter((o) => o.storeId === storeId && (!statuses || statuses.includes(o.status))).sort(newestFirst);
  }

  /** Me: isFirstOrder and waivedDeliveryFeeTotal over the user's orders that are not cancelled. */
  me(userId: string) {
    const active = this.orders.filter((o) => o.userId === userId && o.status !== 'CANCELLED');
    return {
      id: userId,
      name: this.world.user(indexOf(userId)).name,
      isFirstOrder: active.length === 0,
      waivedDeliveryFeeTotal: cny(active.reduce((sum, o) => sum + o.deliveryFeeWaived, 0)),
    };
  }

  fees(o: WorldOrder) {
    return {
      itemsTotal: cny(o.itemsTotal),
      deliveryFee: cny(o.deliveryFee),
      deliveryFeeWaived: cny(o.deliveryFeeWaived),
      payable: cny(o.itemsTotal + o.deliveryFee - o.deliveryFeeWaived),
    };
  }

  /** One node of MyOrders. */
  myOrdersNode(o: WorldOrder) {
    return {
      id: o.id,
      status: o.status,
      createdAt: iso(o.createdAtMs),
      store: { id: o.storeId, name: this.store(o.storeId).name },
      items: o.items.map((line) => ({
        quantity: line.quantity,
        unitPrice: cny(line.unitPrice),
        menuItem: { id: line.menuItemId, name: this.menuItem(line.menuItemId).name },
      })),
      fees: this.fees(o),
      delivery: o.delivery && {
        status: o.delivery.status,
        etaMinutes: expect.any(Number),
        rider: { id: o.delivery.riderId, name: this.world.rider(indexOf(o.delivery.riderId)).name, location: this.riderLocation(o.delivery.riderId) },
      },
    };
  }

  /** OrderDetail's `order`. */
  orderDetail(id: string) {
    const o = this.order(id);
    const store = this.store(o.storeId);
    const rider = o.delivery && this.world.rider(indexOf(o.delivery.riderId));
    return {
      id: o.id,
      status: o.status,
      createdAt: iso(o.createdAtMs),
      updatedAt: iso(o.updatedAtMs),
      user: { id: o.userId, name: this.world.user(indexOf(o.userId)).name },
      store: { id: store.id, name: store.name, address: store.address, phone: store.phone, location: { lat: store.lat, lng: store.lng } },
      items: this.myOrdersNode(o).items,
      fees: this.fees(o),
      statusHistory: o.history.map((h) => ({ status: h.status, at: iso(h.atMs) })),
      delivery: o.delivery && rider && {
        status: o.delivery.status,
        etaMinutes: expect.any(Number),
        pickedUpAt: o.delivery.pickedUpAtMs === null ? null : iso(o.delivery.pickedUpAtMs),
        deliveredAt: o.delivery.deliveredAtMs === null ? null : iso(o.delivery.deliveredAtMs),
        rider: { id: rider.id, name: rider.name, phone: rider.phone, location: this.riderLocation(rider.id) },
      },
    };
  }

  /** One node of StoreOrders. */
  storeOrdersNode(o: WorldOrder) {
    const user = this.world.user(indexOf(o.userId));
    return {
      id: o.id,
      status: o.status,
      createdAt: iso(o.createdAtMs),
      user: { id: user.id, name: user.name, phoneMasked: masked(user.phone) },
      items: o.items.map((line) => ({ quantity: line.quantity, menuItem: { id: line.menuItemId, name: this.menuItem(line.menuItemId).name } })),
      fees: { payable: this.fees(o).payable },
      delivery: o.delivery && {
        status: o.delivery.status,
        rider: { id: o.delivery.riderId, name: this.world.rider(indexOf(o.delivery.riderId)).name },
      },
    };
  }

  /** StoreMenu's `store`. */
  storeMenu(storeId: string) {
    const store = this.store(storeId);
    return {
      id: store.id,
      name: store.name,
      address: store.address,
      isOpen: store.isOpen,
      deliveryFee: cny(store.deliveryFee),
      minOrder: cny(store.minOrder),
      menu: this.world.menu(indexOf(storeId)).map((item) => ({ id: item.id, name: item.name, price: cny(item.price), available: item.available })),
    };
  }

  /** NearbyStores: every open store, nearest first by the metres shown, ties by id; the first `first`. */
  nearbyStores(lat: number, lng: number, first: number) {
    return [...this.world.stores()]
      .filter((s) => s.isOpen)
      .map((s) => ({
        id: s.id,
        name: s.name,
        isOpen: true,
        rating: s.rating,
        distanceMeters: Math.round(haversineMeters(lat, lng, s.lat, s.lng)),
        deliveryFee: cny(s.deliveryFee),
        minOrder: cny(s.minOrder),
      }))
      .sort((a, b) => a.distanceMeters - b.distanceMeters || a.id.localeCompare(b.id))
      .slice(0, first);
  }

  private riderLocation(riderId: string) {
    const rider = this.world.rider(indexOf(riderId));
    return { lat: nearly(rider.lat), lng: nearly(rider.lng) };
  }
}

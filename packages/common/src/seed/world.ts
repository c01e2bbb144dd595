/**
 * The deterministic demo world: the same sizes always give the same users, stores, menus,
 * riders and orders, so that each subgraph can seed its own tables on its own and the
 * five still agree. Ids are the contract's: u1…uN, s1…sN, r1…rN.
 */

export interface WorldSize {
  readonly users: number;
  readonly stores: number;
  readonly riders: number;
  readonly orders: number;
}

/** The contract's default: what `npm start` and the tests seed. */
export const DEFAULT_WORLD: WorldSize = { users: 1_000, stores: 100, riders: 50, orders: 10_000 };

/** Around People's Square, Shanghai. */
export const CITY_CENTER = { lat: 31.23, lng: 121.47 } as const;
/** Stores, riders and customers are spread this far from the centre, in degrees (about ±8 km). */
const SPREAD_DEG = 0.07;
/** Seeded orders span the 30 days before this instant, so that the world is the same on every run. */
export const WORLD_EPOCH_MS = Date.UTC(2026, 0, 1);
const HISTORY_SPAN_MS = 30 * 24 * 3600 * 1000;

export interface WorldUser { readonly id: string; readonly name: string; readonly phone: string }
export interface WorldStore {
  readonly id: string;
  readonly name: string;
  readonly address: string;
  readonly phone: string;
  readonly lat: number;
  readonly lng: number;
  readonly isOpen: boolean;
  readonly rating: number;
  readonly deliveryFee: number;
  readonly minOrder: number;
  readonly freeDeliveryThreshold: number | null;
}
export interface WorldMenuItem {
  readonly id: string;
  readonly storeId: string;
  readonly position: number;
  readonly name: string;
  readonly price: number;
  readonly available: boolean;
}
export interface WorldRider { readonly id: string; readonly name: string; readonly phone: string; readonly lat: number; readonly lng: number }

export type WorldOrderStatus = 'PLACED' | 'ACCEPTED' | 'READY' | 'PICKED_UP' | 'DELIVERED' | 'CANCELLED';

export interface WorldOrder {
  readonly id: string;
  readonly userId: string;
  readonly storeId: string;
  readonly status: WorldOrderStatus;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  readonly items: ReadonlyArray<{ readonly menuItemId: string; readonly quantity: number; readonly unitPrice: number }>;
  readonly itemsTotal: number;
  readonly deliveryFee: number;
  readonly deliveryFeeWaived: number;
  readonly history: ReadonlyArray<{ readonly status: WorldOrderStatus; readonly atMs: number }>;
  /** Present once a rider has taken the order. */
  readonly delivery: {
    readonly riderId: string;
    readonly status: 'ASSIGNED' | 'PICKED_UP' | 'DELIVERED';
    readonly assignedAtMs: number;
    readonly pickedUpAtMs: number | null;
    readonly deliveredAtMs: number | null;
  } | null;
}

/** mulberry32: a small, fast seeded PRNG; the same seed always gives the same sequence (tests replay failures from it). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded per entity, so any entity can be made without the others. */
function random(...key: number[]): () => number {
  return seededRandom(key.reduce((h, k) => Math.imul(h ^ k, 0x9e3779b1) >>> 0, 0x2545f491));
}

const between = (rand: () => number, min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

const SURNAMES = ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou', 'Xu', 'Sun', 'Ma', 'Zhu', 'Hu'];
const GIVEN = ['Wei', 'Fang', 'Na', 'Min', 'Jing', 'Lei', 'Jun', 'Yan', 'Tao', 'Ming', 'Chao', 'Xia', 'Hui', 'Qiang', 'Ying'];
const CUISINES = ['Noodle House', 'Dumpling Bar', 'Rice Kitchen', 'Hotpot', 'Bakery', 'Tea Shop', 'Grill', 'Congee', 'Bao Stand', 'Sushi'];
const STREETS = ['Nanjing Rd', 'Huaihai Rd', 'Yan\'an Rd', 'Xizang Rd', 'Fuzhou Rd', 'Jiangxi Rd', 'Henan Rd', 'Sichuan Rd'];
const DISHES = ['Beef Noodles', 'Pork Dumplings', 'Fried Rice', 'Mapo Tofu', 'Kung Pao Chicken', 'Spring Rolls', 'Wonton Soup',
  'Char Siu Bao', 'Egg Tart', 'Milk Tea', 'Scallion Pancake', 'Sweet and Sour Pork', 'Steamed Fish', 'Cold Noodles',
  'Xiaolongbao', 'Braised Pork', 'Green Beans', 'Egg Fried Noodles', 'Hot and Sour Soup', 'Mango Pudding', 'Lemon Tea', 'Rice Cake'];

const personName = (rand: () => number) => `${pick(rand, SURNAMES)} ${pick(rand, GIVEN)}`;
const phoneNumber = (rand: () => number) => `13${between(rand, 0, 9)}${String(between(rand, 0, 99_999_999)).padStart(8, '0')}`;

export class World {
  constructor(readonly size: WorldSize = DEFAULT_WORLD) {
    for (const [key, value] of Object.entries(size)) {
      if (!Number.isSafeInteger(value) || value < 1) throw new Error(`world size ${key} must be a positive integer; got ${value}`);
    }
  }

  /** Every tenth user (u10, u20, …) never orders: the contract wants a tenth without orders, spread over the ids. */
  static neverOrders(userIndex: number): boolean {
    return userIndex % 10 === 0;
  }

  /** Every tenth store (s10, s20, …) is closed. */
  static isClosed(storeIndex: number): boolean {
    return storeIndex % 10 === 0;
  }

  user(index: number): WorldUser {
    const rand = random(1, index);
    return { id: `u${index}`, name: personName(rand), phone: phoneNumber(rand) };
  }

  *users(): Generator<WorldUser> {
    for (let i = 1; i <= this.size.users; i++) yield this.user(i);
  }

  store(index: number): WorldStore {
    const rand = random(2, index);
    const hasThreshold = rand() < 0.4;
    return {
      id: `s${index}`,
      name: `${pick(rand, SURNAMES)}'s ${pick(rand, CUISINES)} #${index}`,
      address: `${between(rand, 1, 999)} ${pick(rand, STREETS)}, Shanghai`,
      phone: `021${String(between(rand, 0, 99_999_999)).padStart(8, '0')}`,
      lat: round6(CITY_CENTER.lat + (rand() * 2 - 1) * SPREAD_DEG),
      lng: round6(CITY_CENTER.lng + (rand() * 2 - 1) * SPREAD_DEG),
      isOpen: !World.isClosed(index),
      rating: Math.round((3.5 + rand() * 1.5) * 10) / 10,
      deliveryFee: between(rand, 3, 8) * 100,
      minOrder: between(rand, 1, 3) * 1000,
      freeDeliveryThreshold: hasThreshold ? between(rand, 5, 9) * 1000 : null,
    };
  }

  *stores(): Generator<WorldStore> {
    for (let i = 1; i <= this.size.stores; i++) yield this.store(i);
  }

  /** 20 to 30 items a store; about one in twelve is unavailable. */
  menu(storeIndex: number): WorldMenuItem[] {
    const rand = random(3, storeIndex);
    const count = between(rand, 20, 30);
    return Array.from({ length: count }, (_, k) => {
      const position = k + 1;
      const dish = DISHES[k % DISHES.length] as string;
      return {
        id: `i${storeIndex}-${position}`,
        storeId: `s${storeIndex}`,
        position,
        name: k < DISHES.length ? dish : `${dish} (large)`,
        price: between(rand, 8, 48) * 100 + (rand() < 0.5 ? 50 : 0),
        available: position % 12 !== 5,
      };
    });
  }

  rider(index: number): WorldRider {
    const rand = random(4, index);
    return {
      id: `r${index}`,
      name: personName(rand),
      phone: phoneNumber(rand),
      lat: round6(CITY_CENTER.lat + (rand() * 2 - 1) * SPREAD_DEG),
      lng: round6(CITY_CENTER.lng + (rand() * 2 - 1) * SPREAD_DEG),
    };
  }

  *riders(): Generator<WorldRider> {
    for (let i = 1; i <= this.size.riders; i++) yield this.rider(i);
  }

  /**
   * Orders o1…oN, oldest first, with fees computed as the contract says: a user's first order
   * that is not cancelled has its delivery fee waived, and so has any order reaching the
   * store's free-delivery threshold. The last few hundred are still in progress.
   */
  *orders(): Generator<WorldOrder> {
    const { users, stores, riders, orders } = this.size;
    const orderingUsers = Array.from({ length: users }, (_, i) => i + 1).filter((i) => !World.neverOrders(i));
    const openStores = Array.from({ length: stores }, (_, i) => i + 1).filter((i) => !World.isClosed(i));
    if (orderingUsers.length === 0 || openStores.length === 0) return;
    const storeCache = new Map<number, { store: WorldStore; menu: WorldMenuItem[] }>();
    const usersWithActiveOrder = new Set<number>();
    const inProgress = Math.min(orders, 300);
    const stepMs = HISTORY_SPAN_MS / orders;

    for (let j = 1; j <= orders; j++) {
      const rand = random(5, j);
      const userIndex = pick(rand, orderingUsers);
      const storeIndex = pick(rand, openStores);
      let cached = storeCache.get(storeIndex);
      if (!cached) {
        cached = { store: this.store(storeIndex), menu: this.menu(storeIndex).filter((m) => m.available) };
        if (storeCache.size < 10_000) storeCache.set(storeIndex, cached);
      }
      const { store, menu } = cached;
      const createdAtMs = Math.floor(WORLD_EPOCH_MS - HISTORY_SPAN_MS + j * stepMs);

      const lines = new Map<string, { menuItemId: string; quantity: number; unitPrice: number }>();
      const lineCount = between(rand, 1, 3);
      for (let k = 0; k < lineCount; k++) {
        const item = pick(rand, menu);
        const line = lines.get(item.id) ?? { menuItemId: item.id, quantity: 0, unitPrice: item.price };
        line.quantity = Math.min(99, line.quantity + between(rand, 1, 2));
        lines.set(item.id, line);
      }
      const items = [...lines.values()];
      let itemsTotal = items.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0);
      const first = items[0]!;
      while (itemsTotal < store.minOrder && first.quantity < 99) {
        first.quantity++;
        itemsTotal += first.unitPrice;
      }

      const recent = j > orders - inProgress;
      const status: WorldOrderStatus = recent
        ? pick(rand, ['PLACED', 'ACCEPTED', 'READY', 'PICKED_UP', 'DELIVERED', 'CANCELLED'] as const)
        : rand() < 0.1 ? 'CANCELLED' : 'DELIVERED';
      const cancelled = status === 'CANCELLED';
      const waivable = !usersWithActiveOrder.has(userIndex) ||
        (store.freeDeliveryThreshold !== null && itemsTotal >= store.freeDeliveryThreshold);
      if (!cancelled) usersWithActiveOrder.add(userIndex);

      const path: WorldOrderStatus[] = cancelled ? ['PLACED', 'CANCELLED']
        : ['PLACED', 'ACCEPTED', 'READY', 'PICKED_UP', 'DELIVERED'].slice(0, ['PLACED', 'ACCEPTED', 'READY', 'PICKED_UP', 'DELIVERED'].indexOf(status) + 1) as WorldOrderStatus[];
      const minute = 60_000;
      const history = path.map((s, n) => ({ status: s, atMs: createdAtMs + n * 6 * minute }));
      const riderTaken = status === 'PICKED_UP' || status === 'DELIVERED' || (status === 'READY' && rand() < 0.5);
      const riderId = `r${between(rand, 1, riders)}`;
      const delivery = riderTaken
        ? {
            riderId,
            status: status === 'DELIVERED' ? 'DELIVERED' as const : status === 'PICKED_UP' ? 'PICKED_UP' as const : 'ASSIGNED' as const,
            assignedAtMs: createdAtMs + 7 * minute,
            pickedUpAtMs: status === 'PICKED_UP' || status === 'DELIVERED' ? createdAtMs + 18 * minute : null,
            deliveredAtMs: status === 'DELIVERED' ? createdAtMs + 24 * minute : null,
          }
        : null;

      yield {
        id: `o${j}`,
        userId: `u${userIndex}`,
        storeId: store.id,
        status,
        createdAtMs,
        updatedAtMs: history[history.length - 1]!.atMs,
        items,
        itemsTotal,
        deliveryFee: store.deliveryFee,
        deliveryFeeWaived: waivable ? store.deliveryFee : 0,
        history,
        delivery,
      };
    }
  }
}

/** Groups a stream into arrays of `size`, for multi-row INSERTs. */
export function* batches<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let batch: T[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

import { createHash } from 'node:crypto';
import { codedError, ErrorCode, isDuplicateKeyError, newId, requireRole, type Db, type Peers } from '@ordergraph/common';
import { findOrderByIdempotencyKey, findOrdersByIds } from './store/orders.js';
import type { OrderRecord } from './store/records.js';
import { adjustStats, appendEvent, ensureStatsRow, insertOrder, lockStats } from './store/writes.js';

export interface PlaceOrderInput {
  readonly storeId: string;
  readonly items: ReadonlyArray<{ readonly menuItemId: string; readonly quantity: number }>;
  readonly idempotencyKey: string;
}

/** The contract's bounds on a line; and a cart this long is a mistake, not lunch. */
const MIN_QUANTITY = 1;
const MAX_QUANTITY = 99;
const MAX_LINES = 50;
const MAX_IDEMPOTENCY_KEY_LENGTH = 128;

interface StoreTerms {
  readonly id: string;
  readonly isOpen: boolean | null;
  readonly deliveryFee: { amount: number } | null;
  readonly minOrder: { amount: number } | null;
  readonly freeDeliveryThreshold: { amount: number } | null;
}
interface MenuTerms {
  readonly id: string;
  readonly price: { amount: number } | null;
  readonly available: boolean | null;
  readonly store: { id: string } | null;
}

const STORE_TERMS = `query PlaceOrderStore($r: [_Any!]!) { _entities(representations: $r) { ... on Store {
  id isOpen deliveryFee { amount } minOrder { amount } freeDeliveryThreshold { amount } } } }`;
const MENU_TERMS = `query PlaceOrderMenu($r: [_Any!]!) { _entities(representations: $r) { ... on MenuItem {
  id price { amount } available store { id } } } }`;
const CUSTOMER = `query PlaceOrderCustomer($r: [_Any!]!) { _entities(representations: $r) { ... on User { id } } }`;

/**
 * Checkout. Reads the store's terms, the items' prices and the customer from their
 * subgraphs at once, then writes the order in one transaction that holds the customer's
 * stats row: that row lock makes "is this the first order?" and the idempotency check
 * exact under any concurrency, and the unique (customer, key) index backs it up.
 */
export async function placeOrder(db: Db, peers: Peers, principal: Parameters<typeof requireRole>[0], authorization: string | undefined, input: PlaceOrderInput): Promise<OrderRecord> {
  const customer = requireRole(principal, 'customer');
  validate(input);
  const requestHash = hashRequest(input);
  const storedKey = storedIdempotencyKey(input.idempotencyKey);

  const existing = await findOrderByIdempotencyKey(db, customer.sub, storedKey);
  if (existing) return sameRequestOrFail(existing, requestHash, input.idempotencyKey);

  const headers = { authorization };
  const [storeData, menuData, userData] = await Promise.all([
    peers.store.requestData<{ _entities: Array<StoreTerms | null> }>(STORE_TERMS, { r: [{ __typename: 'Store', id: input.storeId }] }, headers),
    peers.menu.requestData<{ _entities: Array<MenuTerms | null> }>(MENU_TERMS, {
      r: input.items.map((item) => ({ __typename: 'MenuItem', id: item.menuItemId })),
    }, headers),
    peers.user.requestData<{ _entities: Array<{ id: string } | null> }>(CUSTOMER, { r: [{ __typename: 'User', id: customer.sub }] }, headers),
  ]);
  if (!userData._entities[0]) throw codedError(ErrorCode.FORBIDDEN, `Customer ${customer.sub} is not a known user.`);
  const store = storeData._entities[0];
  if (!store) throw codedError(ErrorCode.NOT_FOUND, `Store ${input.storeId} does not exist.`);
  if (store.isOpen !== true) throw codedError(ErrorCode.STORE_CLOSED, `Store ${input.storeId} is closed.`);

  const lines = input.items.map((item, index) => {
    const terms = menuData._entities[index];
    if (!terms || terms.store?.id !== input.storeId) {
      throw codedError(ErrorCode.BAD_USER_INPUT, `Menu item ${item.menuItemId} is not on the menu of store ${input.storeId}.`);
    }
    if (terms.available !== true || !terms.price) {
      throw codedError(ErrorCode.ITEM_UNAVAILABLE, `Menu item ${item.menuItemId} is not available right now.`, { menuItemId: item.menuItemId });
    }
    return { menuItemId: item.menuItemId, quantity: item.quantity, unitPrice: terms.price.amount };
  });
  const itemsTotal = lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
  const minOrder = store.minOrder?.amount ?? 0;
  if (itemsTotal < minOrder) {
    throw codedError(ErrorCode.MIN_ORDER_NOT_MET, `Store ${input.storeId} takes orders from ${minOrder} fen; this one comes to ${itemsTotal}.`);
  }
  const deliveryFee = store.deliveryFee?.amount ?? 0;
  const threshold = store.freeDeliveryThreshold?.amount ?? null;

  await ensureStatsRow(db, customer.sub);
  try {
    const id = await db.transaction(async (tx) => {
      const stats = await lockStats(tx, customer.sub);
      // A plain read: the stats row lock above already serializes this customer's placements, and
      // this transaction's snapshot starts here, after it, so it sees any order they committed.
      // A locking read would add gap locks on which two customers' placements could deadlock.
      const raced = await findOrderByIdempotencyKey(tx, customer.sub, storedKey);
      if (raced) return sameRequestOrFail(raced, requestHash, input.idempotencyKey).id;
      const isFirstOrder = stats.activeOrders === 0;
      const waived = isFirstOrder || (threshold !== null && itemsTotal >= threshold) ? deliveryFee : 0;
      const now = Date.now();
      const order: OrderRecord = {
        id: newId('o'),
        userId: customer.sub,
        storeId: input.storeId,
        status: 'PLACED',
        riderId: null,
        itemsTotal,
        deliveryFee,
        deliveryFeeWaived: waived,
        requestHash,
        createdAtMs: now,
        updatedAtMs: now,
      };
      await insertOrder(tx, { order, idempotencyKey: storedKey, items: lines });
      const version = await adjustStats(tx, customer.sub, stats.version, 1, waived);
      await appendEvent(tx, order, 'PLACED', now, version);
      return order.id;
    });
    const [order] = await findOrdersByIds(db, [id]);
    if (!order) throw new Error(`order ${id} vanished after commit`);
    return order;
  } catch (error) {
    // The row lock makes this unreachable in practice; the unique index is the backstop.
    if (!isDuplicateKeyError(error)) throw error;
    const winner = await findOrderByIdempotencyKey(db, customer.sub, storedKey);
    if (!winner) throw error;
    return sameRequestOrFail(winner, requestHash, input.idempotencyKey);
  }
}

function validate(input: PlaceOrderInput): void {
  const key = input.idempotencyKey;
  if (key.trim().length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw codedError(ErrorCode.BAD_USER_INPUT, `idempotencyKey must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters; got ${key.length}.`);
  }
  if (input.items.length === 0 || input.items.length > MAX_LINES) {
    throw codedError(ErrorCode.BAD_USER_INPUT, `An order has 1 to ${MAX_LINES} items; got ${input.items.length}.`);
  }
  const seen = new Set<string>();
  for (const item of input.items) {
    if (!Number.isInteger(item.quantity) || item.quantity < MIN_QUANTITY || item.quantity > MAX_QUANTITY) {
      throw codedError(ErrorCode.BAD_USER_INPUT, `quantity must be ${MIN_QUANTITY} to ${MAX_QUANTITY}; got ${item.quantity} for ${item.menuItemId}.`);
    }
    if (seen.has(item.menuItemId)) {
      throw codedError(ErrorCode.BAD_USER_INPUT, `Menu item ${item.menuItemId} appears twice; send one line with the total quantity.`);
    }
    seen.add(item.menuItemId);
  }
}

/**
 * The key as stored and looked up: its SHA-256 in hex. The databases are utf8mb4_bin, a PAD
 * SPACE collation on MariaDB and MySQL alike: it compares 'k' and 'k ' as equal (SQLite does
 * not), so the raw key made two of the client's keys one. The digest has no trailing spaces,
 * compares byte for byte on both engines, and always fits the column.
 */
function storedIdempotencyKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** What makes two placements "the same request": the store and the lines, in any order. */
function hashRequest(input: PlaceOrderInput): string {
  const lines = [...input.items].sort((a, b) => a.menuItemId.localeCompare(b.menuItemId)).map((i) => [i.menuItemId, i.quantity]);
  return createHash('sha256').update(JSON.stringify([input.storeId, lines])).digest('hex');
}

function sameRequestOrFail(existing: OrderRecord, requestHash: string, key: string): OrderRecord {
  if (existing.requestHash !== requestHash) {
    throw codedError(ErrorCode.BAD_USER_INPUT, `idempotencyKey ${JSON.stringify(key)} was already used for a different order.`);
  }
  return existing;
}

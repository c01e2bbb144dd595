import { insertMany, newId, type Queryable } from '@ordergraph/common';
import type { OrderEvent } from '@ordergraph/common';
import type { OrderEventType, OrderRecord, OrderStatus } from './records.js';

export interface NewOrder {
  readonly order: OrderRecord;
  readonly idempotencyKey: string;
  readonly items: ReadonlyArray<{ readonly menuItemId: string; readonly quantity: number; readonly unitPrice: number }>;
}

/** The order, its lines, its first status and its PLACED event: call inside the placing transaction. */
export async function insertOrder(tx: Queryable, { order, idempotencyKey, items }: NewOrder): Promise<void> {
  await tx.execute(
    `INSERT INTO orders (id, user_id, store_id, status, rider_id, items_total, delivery_fee, delivery_fee_waived,
       idempotency_key, request_hash, created_at_ms, updated_at_ms)
     VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)`,
    [order.id, order.userId, order.storeId, order.status, order.itemsTotal, order.deliveryFee, order.deliveryFeeWaived,
      idempotencyKey, order.requestHash, order.createdAtMs, order.updatedAtMs],
  );
  await insertMany(tx, 'order_items', ['order_id', 'line_no', 'menu_item_id', 'quantity', 'unit_price'],
    items.map((item, index) => [order.id, index + 1, item.menuItemId, item.quantity, item.unitPrice]));
  // A new order's history starts at 1: no read of the history table, so no gap locks between concurrent placements.
  await tx.execute('INSERT INTO order_status_history (order_id, seq, status, at_ms) VALUES (?, 1, ?, ?)', [order.id, order.status, order.createdAtMs]);
}

/**
 * Next entry of the order's status history. Call with the order's row lock held: nobody else
 * writes this order's history meanwhile, so a plain read of the last seq is exact, and unlike
 * INSERT … SELECT it takes no gap locks that concurrent transactions could deadlock on.
 */
export async function appendStatus(tx: Queryable, orderId: string, status: OrderStatus, atMs: number): Promise<void> {
  const [last] = await tx.query<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM order_status_history WHERE order_id = ?', [orderId]);
  await tx.execute('INSERT INTO order_status_history (order_id, seq, status, at_ms) VALUES (?, ?, ?, ?)', [
    orderId, Number(last?.seq ?? 0) + 1, status, atMs,
  ]);
}

/**
 * Writes the change's event to the outbox, in the change's transaction, so that it is published
 * if and only if the change commits. `userVersion` is the customer's stats version the change
 * produced (placing and cancelling), or null for changes that do not touch the stats.
 */
export async function appendEvent(
  tx: Queryable,
  order: OrderRecord,
  type: OrderEventType,
  atMs: number,
  userVersion: number | null = null,
): Promise<OrderEvent> {
  const event: OrderEvent = {
    eventId: newId('e'),
    type,
    orderId: order.id,
    storeId: order.storeId,
    userId: order.userId,
    atMs,
    status: order.status,
    riderId: order.riderId,
    itemsTotal: order.itemsTotal,
    deliveryFee: order.deliveryFee,
    deliveryFeeWaived: order.deliveryFeeWaived,
    userVersion,
  };
  await tx.execute(
    'INSERT INTO order_events (event_id, order_id, store_id, user_id, type, at_ms, payload) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [event.eventId, order.id, order.storeId, order.userId, type, atMs, JSON.stringify(event)],
  );
  return event;
}

/** Makes sure the customer's stats row exists, outside any transaction, so that placing only ever waits on a row lock. */
export async function ensureStatsRow(db: Queryable, userId: string): Promise<void> {
  await db.execute('INSERT IGNORE INTO customer_order_stats (user_id, active_orders, waived_total) VALUES (?, 0, 0)', [userId]);
}

/** Takes the customer's stats row lock: a customer's placements and cancellations go one at a time. */
export async function lockStats(tx: Queryable, userId: string): Promise<{ activeOrders: number; waivedTotal: number; version: number }> {
  const [row] = await tx.query<{ activeOrders: number; waivedTotal: number; version: number }>(
    'SELECT active_orders AS activeOrders, waived_total AS waivedTotal, version FROM customer_order_stats WHERE user_id = ? FOR UPDATE',
    [userId],
  );
  if (!row) throw new Error(`customer_order_stats row for ${userId} is missing; ensureStatsRow() must run first`);
  return { activeOrders: Number(row.activeOrders), waivedTotal: Number(row.waivedTotal), version: Number(row.version) };
}

/**
 * Adds one active order (or, with -1, takes one back) and its waived fee to the customer's
 * stats, and bumps their version; call with the row lock held (lockStats) and pass the
 * returned version to the change's event.
 */
export async function adjustStats(tx: Queryable, userId: string, lockedVersion: number, orders: 1 | -1, waived: number): Promise<number> {
  await tx.execute(
    'UPDATE customer_order_stats SET active_orders = active_orders + ?, waived_total = waived_total + ?, version = version + 1 WHERE user_id = ?',
    [orders, orders * waived, userId],
  );
  return lockedVersion + 1;
}

/** Moves an order from one of `from` to `to`; false when another request moved it first. */
export async function updateStatus(
  tx: Queryable,
  orderId: string,
  from: readonly OrderStatus[],
  to: OrderStatus,
  atMs: number,
  extra: { riderId?: string; cancelReason?: string | null } = {},
): Promise<boolean> {
  const sets = ['status = ?', 'updated_at_ms = ?'];
  const params: Array<string | number | null> = [to, atMs];
  if (extra.riderId !== undefined) {
    sets.push('rider_id = ?');
    params.push(extra.riderId);
  }
  if (extra.cancelReason !== undefined) {
    sets.push('cancel_reason = ?');
    params.push(extra.cancelReason);
  }
  const result = await tx.execute(
    `UPDATE orders SET ${sets.join(', ')} WHERE id = ? AND status IN (${from.map(() => '?').join(', ')})`,
    [...params, orderId, ...from],
  );
  return result.affectedRows === 1;
}

/** Gives an unassigned order to a rider; false when a rider already has it or the status does not allow it. */
export async function assignRider(tx: Queryable, orderId: string, riderId: string, atMs: number): Promise<boolean> {
  const result = await tx.execute(
    `UPDATE orders SET rider_id = ?, updated_at_ms = ? WHERE id = ? AND rider_id IS NULL AND status IN ('ACCEPTED', 'READY')`,
    [riderId, atMs, orderId],
  );
  return result.affectedRows === 1;
}

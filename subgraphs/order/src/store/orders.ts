import { placeholders, type Keyset, type Queryable } from '@ordergraph/common';
import type { OrderItemRecord, OrderRecord, OrderStatsRecord, OrderStatus, StatusChangeRecord } from './records.js';

const ORDER_COLUMNS = `id, user_id AS userId, store_id AS storeId, status, rider_id AS riderId,
  items_total AS itemsTotal, delivery_fee AS deliveryFee, delivery_fee_waived AS deliveryFeeWaived,
  request_hash AS requestHash, created_at_ms AS createdAtMs, updated_at_ms AS updatedAtMs`;

/** mysql2 hands BIGINT columns back as numbers, SUM() as strings; records hold numbers. */
function toOrder(row: OrderRecord): OrderRecord {
  return { ...row, createdAtMs: Number(row.createdAtMs), updatedAtMs: Number(row.updatedAtMs) };
}

export async function findOrdersByIds(db: Queryable, ids: readonly string[]): Promise<OrderRecord[]> {
  const rows = await db.query<OrderRecord>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id IN (${placeholders(ids.length)})`, ids);
  return rows.map(toOrder);
}

/** A locking read: inside a transaction it sees the newest committed row and holds it. */
export async function findOrderForUpdate(tx: Queryable, id: string): Promise<OrderRecord | null> {
  const [row] = await tx.query<OrderRecord>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = ? FOR UPDATE`, [id]);
  return row ? toOrder(row) : null;
}

export async function findOrderByIdempotencyKey(db: Queryable, userId: string, key: string): Promise<OrderRecord | null> {
  const [row] = await db.query<OrderRecord>(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE user_id = ? AND idempotency_key = ?`,
    [userId, key],
  );
  return row ? toOrder(row) : null;
}

export interface OrderPageQuery {
  readonly owner: { readonly column: 'user_id' | 'store_id'; readonly id: string };
  readonly statuses?: readonly OrderStatus[] | undefined;
  readonly after?: Keyset | undefined;
  /** Rows to return; one more is read to tell whether there is a next page. */
  readonly first: number;
}

/** A newest-first keyset page of one customer's or one store's orders: one statement, served by an index. */
export async function findOrderPage(db: Queryable, page: OrderPageQuery): Promise<{ orders: OrderRecord[]; hasNextPage: boolean }> {
  const where = [`${page.owner.column} = ?`];
  const params: Array<string | number> = [page.owner.id];
  if (page.statuses && page.statuses.length > 0) {
    where.push(`status IN (${placeholders(page.statuses.length)})`);
    params.push(...page.statuses);
  }
  if (page.after) {
    where.push('(created_at_ms < ? OR (created_at_ms = ? AND id < ?))');
    params.push(page.after.createdAtMs, page.after.createdAtMs, page.after.id);
  }
  params.push(page.first + 1);
  const rows = await db.query<OrderRecord>(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE ${where.join(' AND ')} ORDER BY created_at_ms DESC, id DESC LIMIT ?`,
    params,
  );
  return { orders: rows.slice(0, page.first).map(toOrder), hasNextPage: rows.length > page.first };
}

export async function findItemsByOrderIds(db: Queryable, orderIds: readonly string[]): Promise<OrderItemRecord[]> {
  return db.query<OrderItemRecord>(
    `SELECT order_id AS orderId, line_no AS lineNo, menu_item_id AS menuItemId, quantity, unit_price AS unitPrice
       FROM order_items WHERE order_id IN (${placeholders(orderIds.length)}) ORDER BY order_id, line_no`,
    orderIds,
  );
}

export async function findHistoryByOrderIds(db: Queryable, orderIds: readonly string[]): Promise<StatusChangeRecord[]> {
  const rows = await db.query<StatusChangeRecord>(
    `SELECT order_id AS orderId, seq, status, at_ms AS atMs
       FROM order_status_history WHERE order_id IN (${placeholders(orderIds.length)}) ORDER BY order_id, seq`,
    orderIds,
  );
  return rows.map((row) => ({ ...row, atMs: Number(row.atMs) }));
}

export async function findStatsByUserIds(db: Queryable, userIds: readonly string[]): Promise<OrderStatsRecord[]> {
  const rows = await db.query<OrderStatsRecord>(
    `SELECT user_id AS userId, active_orders AS activeOrders, waived_total AS waivedTotal, version
       FROM customer_order_stats WHERE user_id IN (${placeholders(userIds.length)})`,
    userIds,
  );
  return rows.map((row) => ({ ...row, activeOrders: Number(row.activeOrders), waivedTotal: Number(row.waivedTotal), version: Number(row.version) }));
}

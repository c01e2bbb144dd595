import { batches, insertMany, type Queryable, type World } from '@ordergraph/common';

/** Orders per batch of INSERTs: a million orders seed in a few minutes on MariaDB. */
const ORDERS_PER_BATCH = 2_000;

/** Writes the world's orders with their lines, history and per-customer stats; seeded history has no outbox events. */
export async function seedOrders(db: Queryable, world: World): Promise<void> {
  const stats = new Map<string, { active: number; waived: number; version: number }>();
  for (const batch of batches(world.orders(), ORDERS_PER_BATCH)) {
    await insertMany(db, 'orders',
      ['id', 'user_id', 'store_id', 'status', 'rider_id', 'items_total', 'delivery_fee', 'delivery_fee_waived', 'created_at_ms', 'updated_at_ms'],
      batch.map((o) => [o.id, o.userId, o.storeId, o.status, o.delivery?.riderId ?? null, o.itemsTotal, o.deliveryFee, o.deliveryFeeWaived, o.createdAtMs, o.updatedAtMs]));
    await insertMany(db, 'order_items', ['order_id', 'line_no', 'menu_item_id', 'quantity', 'unit_price'],
      batch.flatMap((o) => o.items.map((item, n) => [o.id, n + 1, item.menuItemId, item.quantity, item.unitPrice])));
    await insertMany(db, 'order_status_history', ['order_id', 'seq', 'status', 'at_ms'],
      batch.flatMap((o) => o.history.map((h, n) => [o.id, n + 1, h.status, h.atMs])));
    for (const o of batch) {
      const s = stats.get(o.userId) ?? { active: 0, waived: 0, version: 0 };
      stats.set(o.userId, s);
      // Placing is one change of the stats, cancelling another: the version counts them.
      s.version += o.status === 'CANCELLED' ? 2 : 1;
      if (o.status === 'CANCELLED') continue;
      s.active++;
      s.waived += o.deliveryFeeWaived;
    }
  }
  await insertMany(db, 'customer_order_stats', ['user_id', 'active_orders', 'waived_total', 'version'],
    [...stats].map(([userId, s]) => [userId, s.active, s.waived, s.version]));
}

export async function clearOrders(db: Queryable): Promise<void> {
  for (const table of ['order_events', 'customer_order_stats', 'order_status_history', 'order_items', 'orders']) {
    await db.execute(`DELETE FROM ${table}`);
  }
}

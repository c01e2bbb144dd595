/**
 * How MariaDB runs the statements behind the read views, on a world's own databases: the plan
 * and the rows the table access actually read (ANALYZE), and the median time of a few runs
 * from here. The statements are copies of the subgraphs' own, named after the file each comes from;
 * they carry their values inline, as mysql2's query() sends them.
 */
import { CITY_CENTER, degreesAround, openMysql, type Db, type SqlValue } from '@ordergraph/common';
import { TEST_MYSQL_URL } from '@ordergraph/testkit';
import { median } from './stats.js';

/** store/src/resolvers.ts: how far nearbyStores looks. */
const NEARBY_RADIUS_M = 10_000;
/** Runs per statement for its median time: enough to step over one slow run on a shared machine. */
const TIMED_RUNS = 15;

const ORDER_COLUMNS = `id, user_id AS userId, store_id AS storeId, status, rider_id AS riderId,
  items_total AS itemsTotal, delivery_fee AS deliveryFee, delivery_fee_waived AS deliveryFeeWaived,
  request_hash AS requestHash, created_at_ms AS createdAtMs, updated_at_ms AS updatedAtMs`;
const STORE_COLUMNS = `id, name, address, phone, lat, lng, is_open AS isOpen, rating,
  delivery_fee AS deliveryFee, min_order AS minOrder, free_delivery_threshold AS freeDeliveryThreshold`;

interface Statement {
  readonly label: string;
  readonly database: 'order' | 'store' | 'menu' | 'rider';
  readonly sql: string;
  readonly params: readonly SqlValue[];
}

interface Targets {
  readonly userId: string;
  readonly storeId: string;
  readonly boardStoreId: string;
  /** Ten of the customer's orders, as a MyOrders page hands them to the items loader. */
  readonly orderIds: readonly string[];
  /** A keyset position half-way through the customer's and the store's orders. */
  readonly userAfter: { readonly createdAtMs: number; readonly id: string };
  readonly storeAfter: { readonly createdAtMs: number; readonly id: string };
}

function statements(t: Targets): Statement[] {
  const ids = t.orderIds.map(() => '?').join(', ');
  // store/src/store/stores.ts findOpenStoresNear at the city centre, 10 km (store/src/resolvers.ts NEARBY_RADIUS_M).
  const { lat, lng } = CITY_CENTER;
  const { dLat, dLng } = degreesAround(lat, NEARBY_RADIUS_M);
  const lngScale = Math.cos((lat * Math.PI) / 180);
  return [
    { label: 'MyOrders page (order/store/orders.ts findOrderPage)', database: 'order', params: [t.userId, 11],
      sql: `SELECT ${ORDER_COLUMNS} FROM orders WHERE user_id = ? ORDER BY created_at_ms DESC, id DESC LIMIT ?` },
    { label: 'MyOrders page after a cursor', database: 'order', params: [t.userId, t.userAfter.createdAtMs, t.userAfter.createdAtMs, t.userAfter.id, 11],
      sql: `SELECT ${ORDER_COLUMNS} FROM orders WHERE user_id = ? AND (created_at_ms < ? OR (created_at_ms = ? AND id < ?)) ORDER BY created_at_ms DESC, id DESC LIMIT ?` },
    { label: 'StoreOrders page', database: 'order', params: [t.storeId, 21],
      sql: `SELECT ${ORDER_COLUMNS} FROM orders WHERE store_id = ? ORDER BY created_at_ms DESC, id DESC LIMIT ?` },
    { label: 'StoreOrders page after a cursor', database: 'order', params: [t.storeId, t.storeAfter.createdAtMs, t.storeAfter.createdAtMs, t.storeAfter.id, 21],
      sql: `SELECT ${ORDER_COLUMNS} FROM orders WHERE store_id = ? AND (created_at_ms < ? OR (created_at_ms = ? AND id < ?)) ORDER BY created_at_ms DESC, id DESC LIMIT ?` },
    { label: 'StoreOrders open board (status IN)', database: 'order', params: [t.boardStoreId, 'PLACED', 'ACCEPTED', 'READY', 21],
      sql: `SELECT ${ORDER_COLUMNS} FROM orders WHERE store_id = ? AND status IN (?, ?, ?) ORDER BY created_at_ms DESC, id DESC LIMIT ?` },
    { label: 'items of 10 orders (findItemsByOrderIds)', database: 'order', params: t.orderIds,
      sql: `SELECT order_id AS orderId, line_no AS lineNo, menu_item_id AS menuItemId, quantity, unit_price AS unitPrice FROM order_items WHERE order_id IN (${ids}) ORDER BY order_id, line_no` },
    { label: 'history of 10 orders (findHistoryByOrderIds)', database: 'order', params: t.orderIds,
      sql: `SELECT order_id AS orderId, seq, status, at_ms AS atMs FROM order_status_history WHERE order_id IN (${ids}) ORDER BY order_id, seq` },
    { label: 'deliveries of 10 orders (rider/store/deliveries.ts)', database: 'rider', params: t.orderIds,
      sql: `SELECT order_id AS orderId, rider_id AS riderId, status FROM deliveries WHERE order_id IN (${ids})` },
    { label: 'nearby open stores (store/store/stores.ts)', database: 'store', params: [lat - dLat, lat + dLat, lng - dLng, lng + dLng, lat, lat, lng, lngScale, lng, lngScale, 20],
      sql: `SELECT ${STORE_COLUMNS} FROM stores WHERE is_open = 1 AND lat BETWEEN ? AND ? AND lng BETWEEN ? AND ? ORDER BY (lat - ?) * (lat - ?) + ((lng - ?) * ?) * ((lng - ?) * ?), id LIMIT ?` },
    { label: 'a store\'s menu (menu/store/menu-items.ts)', database: 'menu', params: [t.storeId],
      sql: 'SELECT id, store_id AS storeId, position, name, price, available FROM menu_items WHERE store_id IN (?) ORDER BY store_id, position' },
  ];
}

/** Picks the busiest customer and store, a store with open orders, and keyset positions half-way down. */
async function pickTargets(order: Db): Promise<Targets> {
  const [user] = await order.query<{ id: string }>('SELECT user_id AS id FROM orders GROUP BY user_id ORDER BY COUNT(*) DESC, user_id LIMIT 1');
  const [store] = await order.query<{ id: string }>('SELECT store_id AS id FROM orders GROUP BY store_id ORDER BY COUNT(*) DESC, store_id LIMIT 1');
  const [board] = await order.query<{ id: string }>(
    "SELECT store_id AS id FROM orders WHERE status IN ('PLACED', 'ACCEPTED', 'READY') GROUP BY store_id ORDER BY COUNT(*) DESC, store_id LIMIT 1");
  const userOrders = await order.query<{ id: string; createdAtMs: number }>(
    'SELECT id, created_at_ms AS createdAtMs FROM orders WHERE user_id = ? ORDER BY created_at_ms DESC, id DESC', [user!.id]);
  const storeOrders = await order.query<{ id: string; createdAtMs: number }>(
    'SELECT id, created_at_ms AS createdAtMs FROM orders WHERE store_id = ? ORDER BY created_at_ms DESC, id DESC', [store!.id]);
  const half = <T>(list: readonly T[]) => list[list.length >> 1]!;
  const position = (row: { id: string; createdAtMs: number }) => ({ id: row.id, createdAtMs: Number(row.createdAtMs) });
  return {
    userId: user!.id,
    storeId: store!.id,
    boardStoreId: board?.id ?? store!.id,
    orderIds: userOrders.slice(0, 10).map((o) => o.id),
    userAfter: position(half(userOrders)),
    storeAfter: position(half(storeOrders)),
  };
}

interface AnalyzeRow {
  readonly type: string;
  readonly key: string | null;
  readonly Extra: string | null;
}

/** The first table access in an ANALYZE FORMAT=JSON plan: rows the engine actually read there. */
function rowsRead(plan: unknown): number | null {
  if (typeof plan !== 'object' || plan === null) return null;
  const node = plan as Record<string, unknown>;
  if (typeof node['table_name'] === 'string' && typeof node['r_rows'] === 'number') return node['r_rows'];
  for (const value of Object.values(node)) {
    const found = rowsRead(value);
    if (found !== null) return found;
  }
  return null;
}

export interface ExplainRow {
  readonly statement: string;
  readonly access: string;
  readonly key: string;
  /** Rows the table access read (ANALYZE's r_rows), not what the statement returned. */
  readonly rowsRead: number | null;
  readonly extra: string;
  readonly medianMs: number;
}

/** Each view statement's plan and median time on the databases under `prefix`, with the targets they were run for. */
export async function explainViews(prefix: string): Promise<{ targets: string; rows: ExplainRow[] }> {
  const dbs = new Map<Statement['database'], Db>();
  try {
    for (const name of ['order', 'store', 'menu', 'rider'] as const) {
      dbs.set(name, await openMysql({ url: TEST_MYSQL_URL, database: `${prefix}${name}`, connectionLimit: 1 }));
    }
    const targets = await pickTargets(dbs.get('order')!);
    const rows: ExplainRow[] = [];
    for (const statement of statements(targets)) {
      const db = dbs.get(statement.database)!;
      const [plan] = await db.query<AnalyzeRow>(`ANALYZE ${statement.sql}`, statement.params);
      const [json] = await db.query<Record<string, string>>(`ANALYZE FORMAT=JSON ${statement.sql}`, statement.params);
      const timesMs: number[] = [];
      for (let i = 0; i < TIMED_RUNS; i++) {
        const started = performance.now();
        await db.query(statement.sql, statement.params);
        timesMs.push(performance.now() - started);
      }
      rows.push({
        statement: statement.label,
        access: plan?.type ?? '?',
        key: plan?.key ?? '-',
        rowsRead: rowsRead(JSON.parse(Object.values(json ?? {})[0] ?? 'null')),
        extra: plan?.Extra ?? '',
        medianMs: median(timesMs),
      });
    }
    return { targets: `customer ${targets.userId}, store ${targets.storeId}, board ${targets.boardStoreId}`, rows };
  } finally {
    await Promise.all([...dbs.values()].map((db) => db.close()));
  }
}

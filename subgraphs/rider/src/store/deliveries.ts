import { insertMany, placeholders, type Queryable, type SqlValue } from '@ordergraph/common';

export type DeliveryStatus = 'ASSIGNED' | 'PICKED_UP' | 'DELIVERED';

export interface DeliveryRecord {
  readonly orderId: string;
  readonly riderId: string;
  readonly userId: string;
  readonly storeId: string;
  readonly status: DeliveryStatus;
  readonly etaMinutes: number | null;
  readonly assignedAtMs: number;
  readonly pickedUpAtMs: number | null;
  readonly deliveredAtMs: number | null;
}

const COLUMNS = `order_id AS orderId, rider_id AS riderId, user_id AS userId, store_id AS storeId, status,
  eta_minutes AS etaMinutes, assigned_at_ms AS assignedAtMs, picked_up_at_ms AS pickedUpAtMs, delivered_at_ms AS deliveredAtMs`;

const INSERT_COLUMNS = [
  'order_id', 'rider_id', 'user_id', 'store_id', 'status',
  'eta_minutes', 'assigned_at_ms', 'picked_up_at_ms', 'delivered_at_ms',
] as const;

/** Drivers may hand BIGINT back as a string; the DateTime scalar and arithmetic want numbers. */
const toNumberOrNull = (value: number | string | null): number | null => (value === null ? null : Number(value));

type DeliveryRow = Omit<DeliveryRecord, 'etaMinutes' | 'assignedAtMs' | 'pickedUpAtMs' | 'deliveredAtMs'> & {
  etaMinutes: number | string | null;
  assignedAtMs: number | string;
  pickedUpAtMs: number | string | null;
  deliveredAtMs: number | string | null;
};

const toRecord = (row: DeliveryRow): DeliveryRecord => ({
  ...row,
  etaMinutes: toNumberOrNull(row.etaMinutes),
  assignedAtMs: Number(row.assignedAtMs),
  pickedUpAtMs: toNumberOrNull(row.pickedUpAtMs),
  deliveredAtMs: toNumberOrNull(row.deliveredAtMs),
});

const toValues = (d: DeliveryRecord): SqlValue[] => [
  d.orderId, d.riderId, d.userId, d.storeId, d.status, d.etaMinutes, d.assignedAtMs, d.pickedUpAtMs, d.deliveredAtMs,
];

/** One statement for any number of order ids; rows come back in no particular order. */
export async function findDeliveriesByOrderIds(db: Queryable, orderIds: readonly string[]): Promise<DeliveryRecord[]> {
  const rows = await db.query<DeliveryRow>(`SELECT ${COLUMNS} FROM deliveries WHERE order_id IN (${placeholders(orderIds.length)})`, orderIds);
  return rows.map(toRecord);
}

export async function findDelivery(db: Queryable, orderId: string): Promise<DeliveryRecord | null> {
  const [row] = await db.query<DeliveryRow>(`SELECT ${COLUMNS} FROM deliveries WHERE order_id = ?`, [orderId]);
  return row ? toRecord(row) : null;
}

/** A delivery under way: what a rider's position is news to. */
export type ActiveDelivery = Pick<DeliveryRecord, 'orderId' | 'userId' | 'storeId'>;

/** The rider's deliveries not yet delivered, in no particular order; one seek on deliveries_rider_status. */
export async function findActiveDeliveries(db: Queryable, riderId: string): Promise<ActiveDelivery[]> {
  return db.query<ActiveDelivery>(
    "SELECT order_id AS orderId, user_id AS userId, store_id AS storeId FROM deliveries WHERE rider_id = ? AND status IN ('ASSIGNED', 'PICKED_UP')",
    [riderId],
  );
}

/** Throws DuplicateKeyError when the order already has a delivery: the race path relies on it. */
export async function insertDelivery(db: Queryable, delivery: DeliveryRecord): Promise<void> {
  await db.execute(`INSERT INTO deliveries (${INSERT_COLUMNS.join(', ')}) VALUES (${placeholders(INSERT_COLUMNS.length)})`, toValues(delivery));
}

export async function insertDeliveries(db: Queryable, deliveries: readonly DeliveryRecord[]): Promise<void> {
  await insertMany(db, 'deliveries', INSERT_COLUMNS, deliveries.map(toValues));
}

/** The column each step stamps with its time. */
const STEP_TIME_COLUMN = { PICKED_UP: 'picked_up_at_ms', DELIVERED: 'delivered_at_ms' } as const;

/**
 * Moves a delivery `from` one status to the next. Guarded by the old status, so a
 * concurrent repeat changes nothing; false when no row was in `from`.
 */
export async function advanceDelivery(
  db: Queryable,
  orderId: string,
  from: DeliveryStatus,
  to: keyof typeof STEP_TIME_COLUMN,
  atMs: number,
  etaMinutes: number,
): Promise<boolean> {
  const { affectedRows } = await db.execute(
    `UPDATE deliveries SET status = ?, ${STEP_TIME_COLUMN[to]} = ?, eta_minutes = ? WHERE order_id = ? AND status = ?`,
    [to, atMs, etaMinutes, orderId, from],
  );
  return affectedRows === 1;
}

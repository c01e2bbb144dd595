import { degreesAround, placeholders, type Queryable, type WorldStore } from '@ordergraph/common';
import { insertMany } from '@ordergraph/common';

export interface StoreRecord {
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

const COLUMNS = `id, name, address, phone, lat, lng, is_open AS isOpen, rating,
  delivery_fee AS deliveryFee, min_order AS minOrder, free_delivery_threshold AS freeDeliveryThreshold`;

type StoreRow = Omit<StoreRecord, 'isOpen'> & { isOpen: number };
const toRecord = (row: StoreRow): StoreRecord => ({ ...row, isOpen: Number(row.isOpen) === 1 });

/** One statement for any number of ids; rows come back in no particular order. */
export async function findStoresByIds(db: Queryable, ids: readonly string[]): Promise<StoreRecord[]> {
  const rows = await db.query<StoreRow>(`SELECT ${COLUMNS} FROM stores WHERE id IN (${placeholders(ids.length)})`, ids);
  return rows.map(toRecord);
}

/**
 * Open stores within `radiusM` of a point, roughly nearest first: the index narrows to a
 * bounding box, and the planar distance (good to a fraction of a percent at city scale)
 * orders it. Callers compute exact distances for what they show.
 */
export async function findOpenStoresNear(
  db: Queryable,
  lat: number,
  lng: number,
  radiusM: number,
  limit: number,
): Promise<StoreRecord[]> {
  const { dLat, dLng } = degreesAround(lat, radiusM);
  const lngScale = Math.cos((lat * Math.PI) / 180);
  const rows = await db.query<StoreRow>(
    `SELECT ${COLUMNS} FROM stores
      WHERE is_open = 1 AND lat BETWEEN ? AND ? AND lng BETWEEN ? AND ?
      ORDER BY (lat - ?) * (lat - ?) + ((lng - ?) * ?) * ((lng - ?) * ?), id
      LIMIT ?`,
    [lat - dLat, lat + dLat, lng - dLng, lng + dLng, lat, lat, lng, lngScale, lng, lngScale, limit],
  );
  return rows.map(toRecord);
}

export async function insertStores(db: Queryable, stores: readonly WorldStore[]): Promise<void> {
  await insertMany(
    db,
    'stores',
    ['id', 'name', 'address', 'phone', 'lat', 'lng', 'is_open', 'rating', 'delivery_fee', 'min_order', 'free_delivery_threshold'],
    stores.map((s) => [s.id, s.name, s.address, s.phone, s.lat, s.lng, s.isOpen ? 1 : 0, s.rating, s.deliveryFee, s.minOrder, s.freeDeliveryThreshold]),
  );
}

import { insertMany, placeholders, type Queryable, type WorldMenuItem } from '@ordergraph/common';

export interface MenuItemRecord {
  readonly id: string;
  readonly storeId: string;
  readonly position: number;
  readonly name: string;
  /** Fen. */
  readonly price: number;
  readonly available: boolean;
}

const COLUMNS = 'id, store_id AS storeId, position, name, price, available';

type MenuItemRow = Omit<MenuItemRecord, 'available'> & { available: number };
const toRecord = (row: MenuItemRow): MenuItemRecord => ({ ...row, available: Number(row.available) === 1 });

/** One statement for any number of ids; rows come back in no particular order. */
export async function findMenuItemsByIds(db: Queryable, ids: readonly string[]): Promise<MenuItemRecord[]> {
  const rows = await db.query<MenuItemRow>(`SELECT ${COLUMNS} FROM menu_items WHERE id IN (${placeholders(ids.length)})`, ids);
  return rows.map(toRecord);
}

/** One statement for any number of stores; rows come back grouped by store, each store's in menu order. */
export async function findMenuItemsByStoreIds(db: Queryable, storeIds: readonly string[]): Promise<MenuItemRecord[]> {
  const rows = await db.query<MenuItemRow>(
    `SELECT ${COLUMNS} FROM menu_items WHERE store_id IN (${placeholders(storeIds.length)}) ORDER BY store_id, position`,
    storeIds,
  );
  return rows.map(toRecord);
}

export async function insertMenuItems(db: Queryable, items: readonly WorldMenuItem[]): Promise<void> {
  await insertMany(
    db,
    'menu_items',
    ['id', 'store_id', 'position', 'name', 'price', 'available'],
    items.map((i) => [i.id, i.storeId, i.position, i.name, i.price, i.available ? 1 : 0]),
  );
}

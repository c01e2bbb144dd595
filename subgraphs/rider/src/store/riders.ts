import { insertMany, placeholders, type Queryable, type WorldRider } from '@ordergraph/common';

export interface RiderRecord {
  readonly id: string;
  readonly name: string;
  readonly phone: string;
}

/** One statement for any number of ids; rows come back in no particular order. */
export function findRidersByIds(db: Queryable, ids: readonly string[]): Promise<RiderRecord[]> {
  return db.query<RiderRecord>(`SELECT id, name, phone FROM riders WHERE id IN (${placeholders(ids.length)})`, ids);
}

/** Locations are not written here: they go through the LocationStore, which may not be this table. */
export async function insertRiders(db: Queryable, riders: readonly WorldRider[]): Promise<void> {
  await insertMany(db, 'riders', ['id', 'name', 'phone'], riders.map((r) => [r.id, r.name, r.phone]));
}

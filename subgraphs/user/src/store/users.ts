import { insertMany, placeholders, type Queryable, type WorldUser } from '@ordergraph/common';

export interface UserRecord {
  readonly id: string;
  readonly name: string;
  readonly phone: string;
}

/** One statement for any number of ids; rows come back in no particular order. */
export async function findUsersByIds(db: Queryable, ids: readonly string[]): Promise<UserRecord[]> {
  return db.query<UserRecord>(`SELECT id, name, phone FROM users WHERE id IN (${placeholders(ids.length)})`, ids);
}

export async function insertUsers(db: Queryable, users: readonly WorldUser[]): Promise<void> {
  await insertMany(db, 'users', ['id', 'name', 'phone'], users.map((u) => [u.id, u.name, u.phone]));
}

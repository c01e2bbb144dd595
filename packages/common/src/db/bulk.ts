import type { Queryable, SqlValue } from './types.js';

/** SQLite binds at most 32,766 parameters a statement; MySQL's packet limit is far above what this makes. */
const MAX_PARAMS_PER_STATEMENT = 30_000;
const MAX_ROWS_PER_STATEMENT = 2_000;

/** Inserts `rows` with as few multi-row INSERT statements as the engines allow: seeding a million orders takes minutes, not hours. */
export async function insertMany(
  db: Queryable,
  table: string,
  columns: readonly string[],
  rows: ReadonlyArray<readonly SqlValue[]>,
): Promise<void> {
  const perStatement = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMS_PER_STATEMENT / columns.length)));
  const tuple = `(${new Array<string>(columns.length).fill('?').join(', ')})`;
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    await db.execute(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${new Array<string>(chunk.length).fill(tuple).join(', ')}`,
      chunk.flat(),
    );
  }
}

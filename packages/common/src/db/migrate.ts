import type { Db } from './types.js';

/**
 * A subgraph's schema history: each entry is one step of DDL statements, applied once, in
 * order, and never edited after it ships (add a new step instead). Statements use the SQL
 * both MySQL and the embedded engine accept.
 */
export type Migrations = ReadonlyArray<ReadonlyArray<Statement>>;

/** A statement both engines accept, or one spelling for each where they differ (auto-increment keys). */
export type Statement = string | { readonly mysql: string; readonly embedded: string };

/** Applies the steps not yet applied, under a lock so that replicas starting together agree. */
export async function migrate(db: Db, name: string, migrations: Migrations): Promise<void> {
  await db.withLock(`migrate:${name}`, async () => {
    await db.execute('CREATE TABLE IF NOT EXISTS schema_migrations (version INT NOT NULL PRIMARY KEY, applied_at_ms BIGINT NOT NULL)');
    const applied = await db.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(applied.map((row) => Number(row.version)));
    for (const [index, statements] of migrations.entries()) {
      const version = index + 1;
      if (done.has(version)) continue;
      for (const statement of statements) await db.execute(typeof statement === 'string' ? statement : statement[db.dialect]);
      await db.execute('INSERT INTO schema_migrations (version, applied_at_ms) VALUES (?, ?)', [version, Date.now()]);
    }
  });
}

import initSqlJs, { type Database, type SqlJsStatic } from 'sql.js';
import { DuplicateKeyError, type Db, type Queryable, type SqlValue, type WriteResult } from './types.js';

/**
 * The embedded default's stand-in for MySQL: SQLite compiled to WebAssembly, in memory.
 * The subgraphs' SQL is written in the subset both engines share; the few MySQL idioms
 * it uses are translated here. Data lives as long as the process.
 */
let engine: Promise<SqlJsStatic> | undefined;

export async function openEmbedded(): Promise<Db> {
  engine ??= initSqlJs();
  const database = new (await engine).Database();
  database.run('PRAGMA foreign_keys = ON');
  return new EmbeddedDb(database);
}

/** MySQL idioms in our SQL, and what SQLite calls them. */
const TRANSLATIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\s*INSERT\s+IGNORE\b/i, 'INSERT OR IGNORE'],
  // One process, one writer at a time (see `exclusive`): row locks add nothing.
  [/\s+FOR\s+UPDATE\s*$/i, ''],
];

function translate(sql: string): string {
  return TRANSLATIONS.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), sql);
}

class EmbeddedDb implements Db {
  readonly dialect = 'embedded' as const;
  statementCount = 0;
  /** SQLite has one connection: a transaction holds it until it ends, and everything else waits. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly database: Database) {}

  query<Row>(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    return this.exclusive(async () => this.runQuery<Row>(sql, params));
  }

  execute(sql: string, params: readonly SqlValue[] = []): Promise<WriteResult> {
    return this.exclusive(async () => this.runExecute(sql, params));
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      this.database.run('BEGIN');
      try {
        const result = await work({
          query: async (sql, params = []) => this.runQuery(sql, params),
          execute: async (sql, params = []) => this.runExecute(sql, params),
        });
        this.database.run('COMMIT');
        return result;
      } catch (error) {
        this.database.run('ROLLBACK');
        throw error;
      }
    });
  }

  uncounted(): Queryable {
    return {
      query: (sql, params = []) => this.exclusive(async () => this.runQuery(sql, params, false)),
      execute: (sql, params = []) => this.exclusive(async () => this.runExecute(sql, params, false)),
    };
  }

  withLock<T>(_name: string, work: () => Promise<T>, _waitS?: number): Promise<T> {
    return work();
  }

  async close(): Promise<void> {
    await this.tail.catch(() => undefined);
    this.database.close();
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private runQuery<Row>(sql: string, params: readonly SqlValue[], counted = true): Row[] {
    if (counted) this.statementCount++;
    const statement = this.database.prepare(translate(sql));
    try {
      statement.bind(params as SqlValue[]);
      const rows: Row[] = [];
      while (statement.step()) rows.push(statement.getAsObject() as Row);
      return rows;
    } catch (error) {
      return translateError(error);
    } finally {
      statement.free();
    }
  }

  private runExecute(sql: string, params: readonly SqlValue[], counted = true): WriteResult {
    if (counted) this.statementCount++;
    try {
      this.database.run(translate(sql), params as SqlValue[]);
    } catch (error) {
      translateError(error);
    }
    return { affectedRows: this.database.getRowsModified() };
  }
}

function translateError(error: unknown): never {
  if (error instanceof Error && /UNIQUE constraint failed|PRIMARY KEY/.test(error.message)) throw new DuplicateKeyError(error);
  throw error;
}

import mysql from 'mysql2/promise';
import { DuplicateKeyError, LockTimeoutError, type Db, type Queryable, type SqlValue, type WriteResult } from './types.js';

export interface MysqlOptions {
  /** `mysql://user:password@host:port`; the database name comes from `database`. */
  readonly url: string;
  readonly database: string;
  /** Connections per subgraph process; a request uses one at a time per statement. */
  readonly connectionLimit: number;
}

const DATABASE_NAME = /^[A-Za-z0-9_]{1,64}$/;
/** InnoDB picks a victim when two transactions wait on each other; the victim may simply run again. */
const DEADLOCK_RETRIES = 3;

/** Opens a pool on the subgraph's own database, creating the database when it is missing. */
export async function openMysql(options: MysqlOptions): Promise<Db> {
  if (!DATABASE_NAME.test(options.database)) {
    throw new Error(`database name must match ${DATABASE_NAME}; got ${JSON.stringify(options.database)}`);
  }
  const admin = await mysql.createConnection({ uri: options.url });
  try {
    await admin.query(`CREATE DATABASE IF NOT EXISTS \`${options.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await admin.end();
  }
  const pool = mysql.createPool({
    uri: options.url,
    database: options.database,
    connectionLimit: options.connectionLimit,
    enableKeepAlive: true,
    // Statements are parameterised with `?`; values are escaped by the driver, never spliced.
    multipleStatements: false,
    charset: 'utf8mb4',
  });
  return new MysqlDb(pool, options.database);
}

type Connection = mysql.Pool | mysql.PoolConnection;

class MysqlDb implements Db {
  readonly dialect = 'mysql' as const;
  statementCount = 0;

  constructor(
    private readonly pool: mysql.Pool,
    private readonly database: string,
  ) {}

  query<Row>(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    return this.runQuery<Row>(this.pool, sql, params);
  }

  execute(sql: string, params: readonly SqlValue[] = []): Promise<WriteResult> {
    return this.runExecute(this.pool, sql, params);
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const connection = await this.pool.getConnection();
      try {
        await connection.beginTransaction();
        const result = await work({
          query: (sql, params = []) => this.runQuery(connection, sql, params),
          execute: (sql, params = []) => this.runExecute(connection, sql, params),
        });
        await connection.commit();
        return result;
      } catch (error) {
        await connection.rollback().catch(() => undefined);
        if (isDeadlock(error) && attempt < DEADLOCK_RETRIES) continue;
        throw error;
      } finally {
        connection.release();
      }
    }
  }

  async withLock<T>(name: string, work: () => Promise<T>, waitS = 60): Promise<T> {
    const connection = await this.pool.getConnection();
    // Lock names are server-wide: qualify them with the database, so that two deployments (or test runs) never share one.
    const qualified = `${this.database}:${name}`;
    try {
      const [rows] = await connection.query('SELECT GET_LOCK(?, ?) AS got', [qualified, waitS]);
      if ((rows as Array<{ got: number }>)[0]?.got !== 1) throw new LockTimeoutError(qualified, waitS);
      try {
        return await work();
      } finally {
        await connection.query('SELECT RELEASE_LOCK(?)', [qualified]);
      }
    } finally {
      connection.release();
    }
  }

  uncounted(): Queryable {
    return {
      query: (sql, params = []) => this.runQuery(this.pool, sql, params, false),
      execute: (sql, params = []) => this.runExecute(this.pool, sql, params, false),
    };
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  private async runQuery<Row>(connection: Connection, sql: string, params: readonly SqlValue[], counted = true): Promise<Row[]> {
    if (counted) this.statementCount++;
    const [rows] = await connection.query(sql, params as SqlValue[]).catch(translateError);
    return rows as Row[];
  }

  private async runExecute(connection: Connection, sql: string, params: readonly SqlValue[], counted = true): Promise<WriteResult> {
    if (counted) this.statementCount++;
    const [header] = await connection.query(sql, params as SqlValue[]).catch(translateError);
    return { affectedRows: (header as mysql.ResultSetHeader).affectedRows };
  }
}

function translateError(error: unknown): never {
  if ((error as { code?: string }).code === 'ER_DUP_ENTRY') throw new DuplicateKeyError(error);
  throw error;
}

function isDeadlock(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}

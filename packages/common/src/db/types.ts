export type SqlValue = string | number | null;

export interface WriteResult {
  readonly affectedRows: number;
}

/** What a subgraph's store code runs statements on: a pool, or one transaction's connection. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  execute(sql: string, params?: readonly SqlValue[]): Promise<WriteResult>;
}

export interface Db extends Queryable {
  readonly dialect: 'mysql' | 'embedded';
  /** Statements run since start for requests; tests and load tests read it to count queries per request. */
  readonly statementCount: number;
  /** The same database for background work (the outbox relay's polling), left out of statementCount. */
  uncounted(): Queryable;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `work` while holding a named lock that every replica of this database sees (migrations,
   * the outbox relay's turn); throws LockTimeoutError when it is not free within `waitS`.
   */
  withLock<T>(name: string, work: () => Promise<T>, waitS?: number): Promise<T>;
  close(): Promise<void>;
}

/** A unique key refused a row: the idempotency and race paths expect it. */
export class DuplicateKeyError extends Error {
  constructor(cause: unknown) {
    super('duplicate key', { cause });
    this.name = 'DuplicateKeyError';
  }
}

export function isDuplicateKeyError(error: unknown): error is DuplicateKeyError {
  return error instanceof DuplicateKeyError;
}

/** `?, ?, ?` for an IN list of `count` values; callers never pass an empty list. */
export function placeholders(count: number): string {
  if (count < 1) throw new Error(`placeholders() needs at least one value; got ${count}`);
  return new Array<string>(count).fill('?').join(', ');
}

/** Another holder kept a named lock for longer than the caller would wait. */
export class LockTimeoutError extends Error {
  constructor(readonly lockName: string, readonly waitS: number) {
    super(`could not take lock ${lockName} within ${waitS} s`);
    this.name = 'LockTimeoutError';
  }
}

import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { Redis } from 'ioredis';

/** The real servers the tests run on; CI makes sure both listen on loopback. */
export const TEST_MYSQL_URL = process.env['TEST_MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306';
export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A prefix for one test system's databases and Redis keys, so that test files running at once never meet. */
export function uniquePrefix(): string {
  return `t_${process.pid}_${randomBytes(3).toString('hex')}_`;
}

/** Drops every database and Redis key a test system made under `prefix`. */
export async function dropPrefix(prefix: string): Promise<void> {
  const connection = await mysql.createConnection({ uri: TEST_MYSQL_URL });
  try {
    const [rows] = await connection.query('SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE ?', [`${prefix}%`]);
    for (const { name } of rows as Array<{ name: string }>) await connection.query(`DROP DATABASE \`${name}\``);
  } finally {
    await connection.end();
  }
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

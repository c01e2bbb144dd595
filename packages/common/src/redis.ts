import { Redis } from 'ioredis';

/** A Redis client that queues nothing while Redis is down: callers fall back at once instead of waiting. */
export function openRedis(url: string | null, keyPrefix = ''): Redis | null {
  if (!url) return null;
  return quietErrors(new Redis(url, {
    keyPrefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // Reconnect quickly but not in a tight loop while Redis is away.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    lazyConnect: false,
  }));
}

/**
 * While Redis is away every command rejects at its call site, which falls back or reports;
 * the client's own 'error' events (one per reconnect attempt) would only repeat that.
 */
export function quietErrors(client: Redis): Redis {
  client.on('error', () => undefined);
  return client;
}

/** Long enough for a local or same-zone Redis to accept a connection. */
const REDIS_CONNECT_WAIT_MS = 5_000;

/**
 * openRedis queues nothing while connecting, so whatever must write at start (a seed) waits
 * for the connection here first, or fails loudly after `timeoutMs`.
 */
export async function redisReady(redis: Redis, timeoutMs = REDIS_CONNECT_WAIT_MS): Promise<void> {
  if (redis.status === 'ready') return;
  let onReady: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      onReady = resolve;
      redis.once('ready', onReady);
      timer = setTimeout(() => reject(new Error(`Redis did not accept a connection within ${timeoutMs} ms`)), timeoutMs);
    });
  } finally {
    clearTimeout(timer);
    if (onReady) redis.off('ready', onReady);
  }
}

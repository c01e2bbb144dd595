import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedis, redisReady } from '@ordergraph/common';
import { TEST_REDIS_URL } from '@ordergraph/testkit';
import type { Redis } from 'ioredis';
import { MemoryMoveThrottle, RedisMoveThrottle, RIDER_MOVED_INTERVAL_MS } from './move-throttle.js';

/** Past the interval with room for a timer firing late, or Redis expiring a key a little after its time. */
const PAST_INTERVAL_MS = RIDER_MOVED_INTERVAL_MS + 200;

describe('MemoryMoveThrottle', () => {
  it('lets each order through once per interval, independently of the others', async () => {
    let nowMs = 1_000_000;
    const throttle = new MemoryMoveThrottle(() => nowMs);

    expect(await throttle.take(['o1', 'o2'])).toEqual([true, true]);
    nowMs += RIDER_MOVED_INTERVAL_MS - 1;
    expect(await throttle.take(['o1', 'o3'])).toEqual([false, true]);
    nowMs += 1;
    expect(await throttle.take(['o1', 'o2', 'o3'])).toEqual([true, true, false]);
  });
});

describe('RedisMoveThrottle', () => {
  // Two clients stand for two rider replicas. Its keys expire by themselves within the interval.
  const prefix = `t_${process.pid}_${randomBytes(3).toString('hex')}_throttle_`;
  let replicas: Redis[];
  beforeAll(async () => {
    replicas = [openRedis(TEST_REDIS_URL, prefix)!, openRedis(TEST_REDIS_URL, prefix)!];
    await Promise.all(replicas.map((redis) => redisReady(redis)));
  });
  afterAll(() => {
    for (const redis of replicas ?? []) redis.disconnect();
  });

  it('lets one of two replicas through per order within the interval, and either once it has passed', async () => {
    const [a, b] = replicas.map((redis) => new RedisMoveThrottle(redis)) as [RedisMoveThrottle, RedisMoveThrottle];

    expect(await a.take(['o1', 'o2'])).toEqual([true, true]);
    expect(await b.take(['o1', 'o2', 'o3'])).toEqual([false, false, true]);
    await sleep(PAST_INTERVAL_MS);
    expect(await b.take(['o1'])).toEqual([true]);
    expect(await a.take(['o1'])).toEqual([false]);
  });

  it('rejects when Redis cannot be reached, rather than letting every move through', async () => {
    const down = openRedis('redis://127.0.0.1:1')!;
    try {
      await expect(new RedisMoveThrottle(down).take(['o1'])).rejects.toThrow();
    } finally {
      down.disconnect();
    }
  });
});

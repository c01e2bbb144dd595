import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openRedis, redisReady } from '../redis.js';
import { MemoryEventStream } from './memory-stream.js';
import type { OrderEvent, RiderMovedEvent, StreamedEvent } from './order-event.js';
import { RedisEventStream } from './redis-stream.js';
import { compareStreamIds, type EventStream } from './stream.js';

/**
 * What every EventStream promises a follower (a gateway replica reading the whole stream with
 * no consumer group), checked on the in-process stream and on the real Redis alike.
 */

/** The same default as @ordergraph/testkit's (which depends on this package, so it is not imported here). */
const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
/** A block no test should sit out: a read that returns long before it was woken, not timed out. */
const LONG_BLOCK_MS = 10_000;
/** "Well before LONG_BLOCK_MS", with room for a shared two-core machine running other test files. */
const PROMPTLY_MS = 2_000;
/** A block short enough to sit out in a test. */
const SHORT_BLOCK_MS = 300;
/** How long a test lets a read block before it publishes: the read must be waiting by then. */
const BLOCKED_BY_MS = 150;

const orderEvent = (orderId: string): OrderEvent => ({
  eventId: randomUUID(), type: 'PLACED', orderId, storeId: 's1', userId: 'u1', atMs: Date.now(),
  status: 'PLACED', riderId: null, itemsTotal: 1_000, deliveryFee: 300, deliveryFeeWaived: 0, userVersion: 1,
});
const riderMoved = (orderId: string): RiderMovedEvent => ({
  eventId: randomUUID(), type: 'RIDER_MOVED', orderId, storeId: 's1', userId: 'u1', riderId: 'r1', atMs: Date.now(), lat: 31.2304, lng: 121.4737,
});

const orderIds = (entries: readonly StreamedEvent[]) => entries.map((entry) => entry.event.orderId);

/** Runs `read` and says how long it took. */
async function timed<T>(read: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await read;
  return { value, ms: performance.now() - started };
}

const prefix = `t_${process.pid}_${randomBytes(3).toString('hex')}_events_`;
let redis: Redis;
let streams = 0;
const opened: EventStream[] = [];

beforeAll(async () => {
  redis = openRedis(TEST_REDIS_URL, prefix)!;
  await redisReady(redis);
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((stream) => stream.close()));
});
afterAll(async () => {
  // ioredis leaves KEYS' pattern and its answer unprefixed, but prefixes DEL's keys.
  const keys = (await redis.keys(`${prefix}*`)).map((key) => key.slice(prefix.length));
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const IMPLEMENTATIONS: ReadonlyArray<{ name: string; open: () => EventStream }> = [
  { name: 'MemoryEventStream', open: () => new MemoryEventStream() },
  // Each test its own key under this file's prefix, so that none sees another's entries.
  { name: 'RedisEventStream', open: () => new RedisEventStream(redis, `stream-${++streams}`) },
];

describe.each(IMPLEMENTATIONS)('$name', ({ open }) => {
  const fresh = () => {
    const stream = open();
    opened.push(stream);
    return stream;
  };

  it('says 0-0 is the latest id of a stream nothing was published to', async () => {
    expect(await fresh().latestId()).toBe('0-0');
  });

  it('says the latest id is that of the newest entry', async () => {
    const stream = fresh();
    await stream.publish([orderEvent('o1'), riderMoved('o2')]);

    const entries = await stream.readAfter('0-0', 10);

    expect(entries).toHaveLength(2);
    expect(await stream.latestId()).toBe(entries[1]!.streamId);
  });

  it('follows with the entries after the given id, oldest first, at most count of them', async () => {
    const stream = fresh();
    await stream.publish([orderEvent('o1')]);
    const after = await stream.latestId();
    await stream.publish([orderEvent('o2'), riderMoved('o3'), orderEvent('o4')]);

    const first = await stream.follow(after, 2, LONG_BLOCK_MS);
    const rest = await stream.follow(first.at(-1)!.streamId, 10, LONG_BLOCK_MS);

    expect(orderIds(first)).toEqual(['o2', 'o3']);
    expect(orderIds(rest)).toEqual(['o4']);
  });

  it('follows with what is published while it waits, long before blockMs', async () => {
    const stream = fresh();
    const after = await stream.latestId();

    const following = timed(stream.follow(after, 10, LONG_BLOCK_MS));
    await sleep(BLOCKED_BY_MS);
    const moved = riderMoved('o1');
    await stream.publish([moved]);
    const { value, ms } = await following;

    expect(value.map((entry) => entry.event)).toEqual([moved]);
    expect(ms).toBeLessThan(PROMPTLY_MS);
  });

  it('follows with nothing once blockMs passes without a publish', async () => {
    const stream = fresh();
    await stream.publish([orderEvent('o1')]);

    const { value, ms } = await timed(stream.follow(await stream.latestId(), 10, SHORT_BLOCK_MS));

    expect(value).toEqual([]);
    // Timers may fire a millisecond early; Redis measures the block on its own clock.
    expect(ms).toBeGreaterThanOrEqual(SHORT_BLOCK_MS - 20);
    expect(ms).toBeLessThan(PROMPTLY_MS);
  });

  it('waits out its whole block when what is published meanwhile is not after its id', async () => {
    const stream = fresh();
    const later = `${Date.now() + 60_000}-0`;

    const following = timed(stream.follow(later, 10, SHORT_BLOCK_MS));
    await sleep(BLOCKED_BY_MS);
    await stream.publish([orderEvent('o1')]);
    const { value, ms } = await following;

    expect(value).toEqual([]);
    expect(ms).toBeGreaterThanOrEqual(SHORT_BLOCK_MS - 20);
  });

  it('ends a waiting follow with nothing when the stream closes, and answers later ones with nothing', async () => {
    const stream = fresh();
    const following = timed(stream.follow(await stream.latestId(), 10, LONG_BLOCK_MS));
    await sleep(BLOCKED_BY_MS);

    await stream.close();
    const { value, ms } = await following;

    expect(value).toEqual([]);
    expect(ms).toBeLessThan(PROMPTLY_MS);
    expect(await stream.follow('0-0', 10, LONG_BLOCK_MS)).toEqual([]);
  });

  it('lets follow and readGroup block at once, neither waiting for the other nor holding up other commands', async () => {
    const stream = fresh();
    await stream.ensureGroup('g');
    const after = await stream.latestId();

    const grouped = timed(stream.readGroup('g', 'c1', 10, LONG_BLOCK_MS));
    await sleep(BLOCKED_BY_MS);
    // Had the follower queued behind the group read on one connection, this would take LONG_BLOCK_MS more.
    const idle = await timed(stream.follow(after, 10, SHORT_BLOCK_MS));
    expect(idle.value).toEqual([]);
    expect(idle.ms).toBeLessThan(PROMPTLY_MS);

    const followed = timed(stream.follow(after, 10, LONG_BLOCK_MS));
    await sleep(BLOCKED_BY_MS);
    expect((await timed(stream.latestId())).ms).toBeLessThan(PROMPTLY_MS);
    const published = performance.now();
    await stream.publish([riderMoved('o1')]);
    const [group, follow] = await Promise.all([grouped, followed]);

    expect(orderIds(group.value)).toEqual(['o1']);
    expect(orderIds(follow.value)).toEqual(['o1']);
    expect(performance.now() - published).toBeLessThan(PROMPTLY_MS);
  });

  it('refuses a blockMs of 0 (Redis would wait forever) and a count of 0, naming the value', async () => {
    const stream = fresh();

    await expect(stream.follow('0-0', 10, 0)).rejects.toThrow('follow: blockMs must be a positive integer; got 0');
    await expect(stream.follow('0-0', 0, SHORT_BLOCK_MS)).rejects.toThrow('follow: count must be a positive integer; got 0');
  });
});

describe('MemoryEventStream', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Lets a follow that was just called reach its wait (it reads first, then sets its timer). */
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('leaves no timer behind when a follow is woken by a publish, or when it times out', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const stream = new MemoryEventStream();

    const woken = stream.follow('0-0', 10, LONG_BLOCK_MS);
    await settle();
    expect(vi.getTimerCount()).toBe(1);
    await stream.publish([orderEvent('o1')]);
    expect(orderIds(await woken)).toEqual(['o1']);
    expect(vi.getTimerCount()).toBe(0);

    const timedOut = stream.follow(await stream.latestId(), 10, SHORT_BLOCK_MS);
    await settle();
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(SHORT_BLOCK_MS);
    expect(await timedOut).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('compareStreamIds', () => {
  it('orders by milliseconds, then sequence, as numbers rather than text', () => {
    expect(compareStreamIds('10-0', '9-5')).toBeGreaterThan(0);
    expect(compareStreamIds('10-2', '10-10')).toBeLessThan(0);
    expect(compareStreamIds('10-2', '10-2')).toBe(0);
  });
});

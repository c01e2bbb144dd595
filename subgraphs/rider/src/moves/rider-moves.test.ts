import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger, migrate, MemoryEventStream, openEmbedded, openRedis, type Db, type StreamEvent } from '@ordergraph/common';
import type { Redis } from 'ioredis';
import { migrations } from '../migrations.js';
import { insertDelivery } from '../store/deliveries.js';
import { MemoryMoveThrottle, RedisMoveThrottle } from './move-throttle.js';
import { RiderMoves } from './rider-moves.js';

/** The same as in rider-moves.ts: a test that moves the clock past it sees a second warning. */
const WARN_INTERVAL_MS = 30_000;

/** A stream that is down: every publish fails. */
class DownStream extends MemoryEventStream {
  override async publish(_events: readonly StreamEvent[]): Promise<void> {
    throw new Error('stream down');
  }
}

let db: Db;
let unreachable: Redis;
beforeAll(async () => {
  db = await openEmbedded();
  await migrate(db, 'rider', migrations);
  await insertDelivery(db, {
    orderId: 'o1', riderId: 'r1', userId: 'u1', storeId: 's1', status: 'PICKED_UP',
    etaMinutes: 10, assignedAtMs: 1, pickedUpAtMs: 2, deliveredAtMs: null,
  });
  // Nothing listens on port 1: every command fails at once, as with Redis down.
  unreachable = openRedis('redis://127.0.0.1:1')!;
});
afterAll(async () => {
  unreachable?.disconnect();
  await db?.close();
});
afterEach(() => {
  vi.useRealTimers();
});

function capturedLog() {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger('rider', 'warn', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

describe('RiderMoves when publishing fails', () => {
  it('resolves when the throttle cannot reach Redis, publishes nothing, and warns once for a burst of failures', async () => {
    const events = new MemoryEventStream();
    const { log, lines } = capturedLog();
    const moves = new RiderMoves({ db, events, throttle: new RedisMoveThrottle(unreachable), log });

    for (let i = 0; i < 5; i++) await expect(moves.publish('r1', 31.23, 121.47)).resolves.toBeUndefined();

    expect(await events.readAfter('0-0', 10)).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, riderId: 'r1', failuresSinceLastWarning: 0 });
  });

  it('resolves when the stream refuses the publish, and warns again with the count of failures once the interval has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { log, lines } = capturedLog();
    const moves = new RiderMoves({ db, events: new DownStream(), throttle: new MemoryMoveThrottle(), log });

    // Further apart than the throttle's interval, so that each call reaches the stream.
    for (let i = 0; i < 4; i++) {
      await moves.publish('r1', 31.23, 121.47);
      vi.setSystemTime(Date.now() + 1_500);
    }
    vi.setSystemTime(Date.now() + WARN_INTERVAL_MS);
    await moves.publish('r1', 31.23, 121.47);

    expect(lines.map((line) => line['failuresSinceLastWarning'])).toEqual([0, 3]);
    expect(lines[0]!['err']).toMatchObject({ message: 'stream down' });
  });
});

describe('RiderMoves', () => {
  it('publishes one RIDER_MOVED per delivery under way, with what the delivery row says', async () => {
    const events = new MemoryEventStream();
    const { log } = capturedLog();
    const moves = new RiderMoves({ db, events, throttle: new MemoryMoveThrottle(), log });
    const before = Date.now();

    await moves.publish('r1', 31.23, 121.47);

    const [entry, ...more] = await events.readAfter('0-0', 10);
    expect(more).toEqual([]);
    expect(entry!.event).toEqual({
      eventId: expect.stringMatching(/^[0-9a-f-]{36}$/), type: 'RIDER_MOVED', orderId: 'o1', storeId: 's1', userId: 'u1', riderId: 'r1', atMs: expect.any(Number), lat: 31.23, lng: 121.47,
    });
    expect(entry!.event.atMs).toBeGreaterThanOrEqual(before);
  });
});

import type { ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { compareStreamIds, type StreamedEvent } from '@ordergraph/common';
import { LiveSubscription, type LiveSubscriptionOptions } from './live-subscription.js';

function event(streamId: string, storeId = 's1'): StreamedEvent {
  return {
    streamId,
    event: { eventId: streamId, type: 'PLACED', orderId: `o-${streamId}`, storeId, userId: 'u1', atMs: 0, status: 'PLACED', riderId: null, itemsTotal: 0, deliveryFee: 0, deliveryFeeWaived: 0, userVersion: 1 },
  };
}

function subscription(overrides: Partial<LiveSubscriptionOptions> = {}) {
  const calls = { overflow: 0, end: 0, clientBehind: [] as boolean[] };
  const live = new LiveSubscription({
    matches: (s) => s.event.storeId === 's1',
    resolve: async (s): Promise<ExecutionResult> => ({ data: { id: s.streamId } }),
    readAfter: async () => [],
    bufferEvents: 3,
    onOverflow: (clientBehind) => (calls.overflow++, calls.clientBehind.push(clientBehind)),
    onEnd: () => calls.end++,
    ...overrides,
  });
  return { live, calls };
}

const ids = async (live: LiveSubscription, count: number) => {
  const seen: unknown[] = [];
  for (let i = 0; i < count; i++) seen.push((await live.next()).value?.data?.['id']);
  return seen;
};

describe('LiveSubscription', () => {
  it('hands out matching events in stream order, each once, skipping ids it has passed', async () => {
    const { live } = subscription();
    live.offer(event('1-0'));
    live.offer(event('1-1', 's2'));
    live.offer(event('2-0'));
    live.offer(event('1-5'));
    live.offer(event('2-0'));
    expect(await ids(live, 2)).toEqual(['1-0', '2-0']);
  });

  it('hands events out in arrival order even when a later one resolves first', async () => {
    const delays: Record<string, number> = { '1-0': 30, '2-0': 0 };
    const { live } = subscription({
      resolve: (s) => new Promise((resolve) => setTimeout(() => resolve({ data: { id: s.streamId } }), delays[s.streamId])),
    });
    live.offer(event('1-0'));
    live.offer(event('2-0'));
    expect(await ids(live, 2)).toEqual(['1-0', '2-0']);
  });

  it('replays what came after the resume id, then the live events held meanwhile, without repeating one the replay already gave', async () => {
    const stream = [event('5-0'), event('6-0', 's2'), event('7-0')];
    const { live } = subscription({ readAfter: async (after) => stream.filter((s) => compareStreamIds(s.streamId, after) > 0) });
    live.resumeAfter('4-9');
    live.offer(event('7-0'));
    live.offer(event('8-0'));
    expect(await ids(live, 3)).toEqual(['5-0', '7-0', '8-0']);
  });

  it('calls onOverflow once and ends when more events wait than the buffer holds: the client is behind when the oldest is resolved', async () => {
    const { live, calls } = subscription();
    for (let i = 1; i <= 3; i++) live.offer(event(`${i}-0`));
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 4; i <= 5; i++) live.offer(event(`${i}-0`));
    expect(calls).toEqual({ overflow: 1, end: 1, clientBehind: [true] });
    expect(await live.next()).toEqual({ value: undefined, done: true });
  });

  it('says the gateway is behind, not the client, when the oldest waiting event is still being resolved', () => {
    const { live, calls } = subscription({ resolve: () => new Promise(() => {}) });
    for (let i = 1; i <= 4; i++) live.offer(event(`${i}-0`));
    expect(calls.clientBehind).toEqual([false]);
  });

  it('ends once, however often it is ended, and wakes a waiting reader', async () => {
    const { live, calls } = subscription();
    const waiting = live.next();
    await live.return();
    await live.return();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(calls.end).toBe(1);
  });
});

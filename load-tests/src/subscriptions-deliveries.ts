/**
 * What the subscribers of the subscriptions benchmark received, against what the order flow
 * caused: each expected event exactly once at every subscriber of its store, by (orderId, type),
 * and the latency of every message from the event's commit (its `at`) to its receipt.
 */
import { openRedis, RedisEventStream, redisReady } from '@ordergraph/common';
import { eventKey } from './subscriptions-orders.js';
import type { Subscriber } from './subscriptions-subscribers.js';

export interface Tally {
  /** Messages every subscriber should have received: Σ over stores of events × subscribers. */
  readonly expected: number;
  readonly received: number;
  /** Expected (subscriber, event) pairs never received. */
  readonly lost: number;
  /** Messages beyond the first for one (subscriber, event). */
  readonly duplicated: number;
  /** Messages for events the flow did not cause in that store (or that cannot be attributed). */
  readonly unexpected: number;
  /** Messages that carried errors (the order's fields degraded). */
  readonly withErrors: number;
  /** receivedAtMs − at, per message of an event committed from `measuredFromMs` on. */
  readonly latenciesMs: readonly number[];
  /** The same for the warm-up's events. */
  readonly warmUpLatenciesMs: readonly number[];
  /**
   * Of the measured messages, receivedAtMs − the time Redis appended the event (a stream id is
   * `<ms>-<seq>`): the gateway's part (reading, resolving, sending), without the relay's.
   */
  readonly fromStreamMs: readonly number[];
  /** The last receipt, epoch ms. */
  readonly lastAtMs: number;
  /** The first few errors, to show what they were. */
  readonly sampleErrors: readonly string[];
}

type EventPayload = { type?: string; at?: string; order?: { id?: string } | null } | null | undefined;

/** Stream id → the event's key, for payloads whose `order` did not resolve. */
export type StreamIndex = ReadonlyMap<string, string>;

/** Entries per XRANGE: the whole run's events in a few round trips. */
const STREAM_PAGE = 1_000;
const SAMPLE_ERRORS = 3;

/** Reads the run's order events stream (REDIS_URL and key prefix as the gateway reads it). */
export async function readStreamIndex(redisUrl: string, keyPrefix: string): Promise<StreamIndex> {
  const redis = openRedis(redisUrl, keyPrefix)!;
  const stream = new RedisEventStream(redis);
  const index = new Map<string, string>();
  try {
    await redisReady(redis);
    for (let after = '0-0'; ; ) {
      const page = await stream.readAfter(after, STREAM_PAGE);
      for (const { streamId, event } of page) index.set(streamId, eventKey(event.orderId, event.type));
      if (page.length < STREAM_PAGE) break;
      after = page[page.length - 1]!.streamId;
    }
  } finally {
    await stream.close();
    redis.disconnect();
  }
  return index;
}

/** Whether every subscriber has had at least as many messages as its store's events (the drain's end). */
export function allArrived(subscribers: readonly Subscriber[], expected: ReadonlyMap<string, ReadonlySet<string>>): boolean {
  return subscribers.every((s) => s.recording.events.length >= (expected.get(s.storeId)?.size ?? 0));
}

export function tally(
  subscribers: readonly Subscriber[],
  expected: ReadonlyMap<string, ReadonlySet<string>>,
  streamIndex: StreamIndex,
  measuredFromMs: number,
): Tally {
  let expectedTotal = 0;
  let received = 0;
  let lost = 0;
  let duplicated = 0;
  let unexpected = 0;
  let withErrors = 0;
  let lastAtMs = 0;
  const latenciesMs: number[] = [];
  const warmUpLatenciesMs: number[] = [];
  const fromStreamMs: number[] = [];
  const sampleErrors: string[] = [];
  for (const subscriber of subscribers) {
    const wanted = expected.get(subscriber.storeId) ?? new Set<string>();
    const counts = new Map<string, number>();
    expectedTotal += wanted.size;
    for (const { result, receivedAtMs } of subscriber.recording.events) {
      received++;
      lastAtMs = Math.max(lastAtMs, receivedAtMs);
      const payload = result.data?.['storeOrderEvents'] as EventPayload;
      if (result.errors?.length) {
        withErrors++;
        if (sampleErrors.length < SAMPLE_ERRORS) sampleErrors.push(JSON.stringify(result.errors[0]));
      }
      const streamId = result.extensions?.streamId;
      if (payload?.at) {
        const atMs = Date.parse(payload.at);
        (atMs >= measuredFromMs ? latenciesMs : warmUpLatenciesMs).push(receivedAtMs - atMs);
        if (atMs >= measuredFromMs && streamId) fromStreamMs.push(receivedAtMs - Number(streamId.split('-')[0]));
      }
      const key = payload?.order?.id && payload.type ? eventKey(payload.order.id, payload.type) : streamId ? streamIndex.get(streamId) : undefined;
      if (!key || !wanted.has(key)) {
        unexpected++;
        continue;
      }
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const key of wanted) {
      const n = counts.get(key) ?? 0;
      if (n === 0) lost++;
      else duplicated += n - 1;
    }
  }
  return { expected: expectedTotal, received, lost, duplicated, unexpected, withErrors, latenciesMs, warmUpLatenciesMs, fromStreamMs, lastAtMs, sampleErrors };
}

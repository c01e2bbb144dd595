import type { StreamedEvent, StreamEvent } from './order-event.js';

/** The order events stream (and riders' positions on it): Redis Streams in production, an in-process stand-in on the embedded default. */
export interface EventStream {
  /** Appends in the given order. */
  publish(events: readonly StreamEvent[]): Promise<void>;
  /** Creates the group at the stream's end when it does not exist yet. */
  ensureGroup(group: string): Promise<void>;
  /** New entries for this consumer, waiting up to `blockMs` for some. */
  readGroup(group: string, consumer: string, count: number, blockMs: number): Promise<StreamedEvent[]>;
  /** Entries another consumer took and left unacknowledged for `minIdleMs`, now this consumer's. */
  claimStale(group: string, consumer: string, minIdleMs: number, count: number): Promise<StreamedEvent[]>;
  ack(group: string, streamIds: readonly string[]): Promise<void>;
  /** Entries after `streamId` (exclusive), oldest first, within what the stream still keeps. */
  readAfter(streamId: string, count: number): Promise<StreamedEvent[]>;
  /** The newest entry's id, or '0-0' when the stream is empty: where a reader starts to follow from "now". */
  latestId(): Promise<string>;
  /**
   * Up to `count` entries after `afterId` (exclusive), oldest first, waiting up to `blockMs` for
   * some when there are none yet; [] once the stream is closed. For readers that each see every
   * entry (a gateway replica fanning events out), with no consumer group to acknowledge to.
   */
  follow(afterId: string, count: number, blockMs: number): Promise<StreamedEvent[]>;
  close(): Promise<void>;
}

/** How long the stream keeps events: the window within which a subscriber can resume. */
export const STREAM_RETENTION_MS = 60 * 60 * 1_000;
export const ORDER_EVENTS_STREAM = 'orders:events';

/** Both streams refuse the same arguments: Redis would read a `blockMs` of 0 as "wait forever". */
export function checkFollowArgs(count: number, blockMs: number): void {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`follow: count must be a positive integer; got ${count}`);
  if (!Number.isInteger(blockMs) || blockMs < 1) throw new RangeError(`follow: blockMs must be a positive integer; got ${blockMs}`);
}

/** Redis stream ids are `<ms>-<seq>`: ordered by time, then sequence, both as numbers. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number);
  return aMs - bMs || aSeq - bSeq;
}

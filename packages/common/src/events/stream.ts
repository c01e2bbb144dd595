import type { OrderEvent, StreamedEvent } from './order-event.js';

/** The order events stream: Redis Streams in production, an in-process stand-in on the embedded default. */
export interface EventStream {
  /** Appends in the given order. */
  publish(events: readonly OrderEvent[]): Promise<void>;
  /** Creates the group at the stream's end when it does not exist yet. */
  ensureGroup(group: string): Promise<void>;
  /** New entries for this consumer, waiting up to `blockMs` for some. */
  readGroup(group: string, consumer: string, count: number, blockMs: number): Promise<StreamedEvent[]>;
  /** Entries another consumer took and left unacknowledged for `minIdleMs`, now this consumer's. */
  claimStale(group: string, consumer: string, minIdleMs: number, count: number): Promise<StreamedEvent[]>;
  ack(group: string, streamIds: readonly string[]): Promise<void>;
  /** Entries after `streamId` (exclusive), oldest first, within what the stream still keeps. */
  readAfter(streamId: string, count: number): Promise<StreamedEvent[]>;
  close(): Promise<void>;
}

/** How long the stream keeps events: the window within which a subscriber can resume. */
export const STREAM_RETENTION_MS = 60 * 60 * 1_000;
export const ORDER_EVENTS_STREAM = 'orders:events';

import { setTimeout as sleep } from 'node:timers/promises';
import type { EventStream, Logger, StreamedEvent } from '@ordergraph/common';

/** Where an event goes: every event to its order's listeners; order events (not rider moves) also to its store's. */
export type FeedKey = `store:${string}` | `order:${string}`;

export function keysOf({ event }: StreamedEvent): FeedKey[] {
  return event.type === 'RIDER_MOVED' ? [`order:${event.orderId}`] : [`store:${event.storeId}`, `order:${event.orderId}`];
}

export type FeedListener = (streamed: StreamedEvent) => void;

/** Entries per read: a lunch-peak second of the whole platform's events in one round trip. */
const READ_COUNT = 500;
/** How long one read waits for new entries; also how quickly stop() takes effect. */
const BLOCK_MS = 1_000;
/** After a failed read, wait before trying again, so that a dead Redis is not hammered. */
const RETRY_PAUSE_MS = 500;

/**
 * One replica's reader of the whole order events stream, fanning each event out to the
 * subscriptions that want it. No consumer group: every replica needs every event, and a
 * replica that restarts has no subscribers to catch up for (they resume by stream id).
 */
export class EventFeed {
  private readonly listeners = new Map<FeedKey, Set<FeedListener>>();
  private running = true;
  private readonly done: Promise<void>;

  constructor(
    readonly stream: EventStream,
    private readonly log: Logger,
  ) {
    this.done = this.follow();
  }

  /** Calls `listener` with every event for `key` from now on, in stream order; returns the unsubscribe. */
  listen(key: FeedKey, listener: FeedListener): () => void {
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(key) === set) this.listeners.delete(key);
    };
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  private async follow(): Promise<void> {
    let position: string | null = null;
    while (this.running) {
      try {
        // From the stream's end at start: what came before is for resuming subscribers to ask for.
        position ??= await this.stream.latestId();
        const entries = await this.stream.follow(position, READ_COUNT, BLOCK_MS);
        for (const streamed of entries) {
          position = streamed.streamId;
          this.dispatch(streamed);
        }
      } catch (error) {
        if (!this.running) break;
        this.log.warn({ err: error }, 'subscription feed: reading the order events stream failed; retrying');
        await sleep(RETRY_PAUSE_MS);
      }
    }
  }

  private dispatch(streamed: StreamedEvent): void {
    for (const key of keysOf(streamed)) {
      const set = this.listeners.get(key);
      if (!set) continue;
      for (const listener of set) {
        try {
          listener(streamed);
        } catch (error) {
          this.log.error({ err: error, streamId: streamed.streamId }, 'subscription feed: a listener failed');
        }
      }
    }
  }
}

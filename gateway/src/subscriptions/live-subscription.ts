import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecutionResult } from 'graphql';
import { compareStreamIds, type StreamedEvent } from '@ordergraph/common';

export interface LiveSubscriptionOptions {
  /** Whether an event is this subscription's (the feed routes by key; a replay reads every event). */
  readonly matches: (streamed: StreamedEvent) => boolean;
  /** Starts resolving an event's payload; must not reject. */
  readonly resolve: (streamed: StreamedEvent) => Promise<ExecutionResult>;
  /** Entries after a stream id, oldest first: how a resumed subscription reads what it missed. */
  readonly readAfter: (streamId: string, count: number) => Promise<readonly StreamedEvent[]>;
  /** Events allowed to wait (being resolved, or resolved and not yet read); one more and `onOverflow` is called. */
  readonly bufferEvents: number;
  /**
   * The buffer is full. `clientBehind`: the oldest waiting event is resolved, so the client is
   * not reading; otherwise the gateway's resolutions are what fell behind.
   */
  readonly onOverflow: (clientBehind: boolean) => void;
  /** Called as each event's payload is handed to the client. */
  readonly onHandOut?: (streamed: StreamedEvent) => void;
  /** Called once, however the subscription ends. */
  readonly onEnd: () => void;
}

/** Events per replay read: small enough to keep within the buffer, large enough to catch up an hour in a few reads. */
const REPLAY_PAGE = 100;
/** Pause before reading again after a failed replay read. */
const REPLAY_RETRY_MS = 500;

/**
 * One subscription's events, in stream order, each at most once: an async iterator that
 * graphql-ws pulls from as fast as the client reads. Events are resolved as they arrive (so a
 * slow subgraph costs one resolution's time, not one per queued event) and handed out in order.
 * A client that does not read fills the bounded buffer and is cut off; a resumed subscription
 * first replays the stream after its last id, holding live events meanwhile.
 */
export class LiveSubscription implements AsyncGenerator<ExecutionResult, undefined> {
  /** The last stream id taken in (delivered or skipped): nothing at or before it is taken again. */
  private cursor = '0-0';
  private readonly queue: Array<{ readonly streamed: StreamedEvent; readonly result: Promise<ExecutionResult>; resolved: boolean }> = [];
  /** Live events that arrived while replaying; null when not replaying. */
  private held: StreamedEvent[] | null = null;
  private wake: (() => void) | null = null;
  private ended = false;

  constructor(private readonly options: LiveSubscriptionOptions) {}

  /** Replays what came after `streamId` before any live event. Call before the first offer. */
  resumeAfter(streamId: string): void {
    this.cursor = streamId;
    this.held = [];
  }

  /** A live event from the feed. */
  offer(streamed: StreamedEvent): void {
    if (this.ended) return;
    if (this.held) {
      if (this.held.length >= this.options.bufferEvents) return this.overflow();
      this.held.push(streamed);
      return;
    }
    this.take(streamed);
  }

  async next(): Promise<IteratorResult<ExecutionResult, undefined>> {
    for (;;) {
      const head = this.queue.shift();
      if (head) {
        const value = await head.result;
        this.options.onHandOut?.(head.streamed);
        return { value, done: false };
      }
      if (this.ended) return { value: undefined, done: true };
      if (this.held) {
        await this.replayPage();
        continue;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async return(): Promise<IteratorResult<ExecutionResult, undefined>> {
    this.end();
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult, undefined>> {
    this.end();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.end();
  }

  /** Reads one page of missed events; an empty or short page ends the replay, then the held live events follow. */
  private async replayPage(): Promise<void> {
    let page: readonly StreamedEvent[];
    try {
      page = await this.options.readAfter(this.cursor, REPLAY_PAGE);
    } catch {
      // The stream is out of reach (Redis restarting): live events stay held, within the buffer, until it is back.
      await sleep(REPLAY_RETRY_MS);
      return;
    }
    for (const streamed of page) this.take(streamed);
    if (page.length < REPLAY_PAGE && this.held) {
      const held = this.held;
      this.held = null;
      for (const streamed of held) this.take(streamed);
    }
  }

  private take(streamed: StreamedEvent): void {
    if (this.ended || compareStreamIds(streamed.streamId, this.cursor) <= 0) return;
    this.cursor = streamed.streamId;
    if (!this.options.matches(streamed)) return;
    if (this.queue.length >= this.options.bufferEvents) return this.overflow();
    const entry = { streamed, result: this.options.resolve(streamed), resolved: false };
    void entry.result.then(() => (entry.resolved = true));
    this.queue.push(entry);
    this.wake?.();
    this.wake = null;
  }

  private overflow(): void {
    const clientBehind = this.queue[0]?.resolved ?? this.held !== null;
    this.end();
    this.options.onOverflow(clientBehind);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue.length = 0;
    this.held = null;
    this.wake?.();
    this.wake = null;
    this.options.onEnd();
  }
}

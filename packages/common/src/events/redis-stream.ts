import type { Redis } from 'ioredis';
import { quietErrors, redisReady } from '../redis.js';
import { decodeEvent, encodeEvent, type StreamedEvent, type StreamEvent } from './order-event.js';
import { checkFollowArgs, ORDER_EVENTS_STREAM, STREAM_RETENTION_MS, type EventStream } from './stream.js';

type Entry = [id: string, fields: string[]];

function toStreamed(entries: readonly Entry[] | null | undefined): StreamedEvent[] {
  return (entries ?? []).filter(([, fields]) => fields !== null).map(([streamId, fields]) => ({ streamId, event: decodeEvent(fields) }));
}

/**
 * Order events on a Redis Stream. Blocking reads use their own connections, so that a consumer
 * waiting for events never holds up the commands of everyone else on the shared client. The
 * group reader and the follower each have one: a blocked connection runs nothing else until its
 * block ends, and one process (the embedded system) may run a consumer and a follower at once.
 */
export class RedisEventStream implements EventStream {
  private blocking: Redis | undefined;
  private following: Redis | undefined;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly key: string = ORDER_EVENTS_STREAM,
  ) {}

  async publish(events: readonly StreamEvent[]): Promise<void> {
    if (events.length === 0) return;
    // Trimming by age keeps the resume window and bounds memory; "~" lets Redis trim whole nodes cheaply.
    const minId = String(Date.now() - STREAM_RETENTION_MS);
    const pipeline = this.redis.pipeline();
    for (const event of events) pipeline.xadd(this.key, 'MINID', '~', minId, '*', ...encodeEvent(event));
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0];
  }

  async ensureGroup(group: string): Promise<void> {
    try {
      // ioredis does not apply its keyPrefix to XGROUP's key, as it does to the other stream commands.
      await this.redis.xgroup('CREATE', `${this.redis.options.keyPrefix ?? ''}${this.key}`, group, '$', 'MKSTREAM');
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('BUSYGROUP')) throw error;
    }
  }

  async readGroup(group: string, consumer: string, count: number, blockMs: number): Promise<StreamedEvent[]> {
    this.blocking ??= quietErrors(this.redis.duplicate());
    await redisReady(this.blocking);
    const result = (await this.blocking.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', this.key, '>')) as
      | Array<[string, Entry[]]>
      | null;
    return toStreamed(result?.[0]?.[1]);
  }

  async claimStale(group: string, consumer: string, minIdleMs: number, count: number): Promise<StreamedEvent[]> {
    const [, entries] = (await this.redis.xautoclaim(this.key, group, consumer, minIdleMs, '0-0', 'COUNT', count)) as [string, Entry[]];
    return toStreamed(entries);
  }

  async ack(group: string, streamIds: readonly string[]): Promise<void> {
    if (streamIds.length > 0) await this.redis.xack(this.key, group, ...streamIds);
  }

  async readAfter(streamId: string, count: number): Promise<StreamedEvent[]> {
    const entries = (await this.redis.xrange(this.key, `(${streamId}`, '+', 'COUNT', count)) as Entry[];
    return toStreamed(entries);
  }

  async latestId(): Promise<string> {
    // The shared client queues nothing while connecting; a reader starting with its process would fail its first call.
    await redisReady(this.redis);
    const [newest] = (await this.redis.xrevrange(this.key, '+', '-', 'COUNT', 1)) as Entry[];
    return newest?.[0] ?? '0-0';
  }

  async follow(afterId: string, count: number, blockMs: number): Promise<StreamedEvent[]> {
    checkFollowArgs(count, blockMs);
    if (this.closed) return [];
    this.following ??= quietErrors(this.redis.duplicate());
    try {
      await redisReady(this.following);
      const result = (await this.following.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', this.key, afterId)) as Array<[string, Entry[]]> | null;
      return toStreamed(result?.[0]?.[1]);
    } catch (error) {
      // close() cuts a blocked read short by disconnecting under it; that is the end, not a failure.
      if (this.closed) return [];
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.blocking?.disconnect();
    this.following?.disconnect();
  }
}

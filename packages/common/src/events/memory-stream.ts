import type { StreamedEvent, StreamEvent } from './order-event.js';
import { checkFollowArgs, compareStreamIds, STREAM_RETENTION_MS, type EventStream } from './stream.js';

interface Group {
  /** Index of the next entry never delivered to this group. */
  next: number;
  pending: Map<string, { consumer: string; deliveredAtMs: number; entry: StreamedEvent }>;
}

/**
 * The embedded default's stand-in for the Redis Stream: the same semantics (consumer groups,
 * pending entries, claiming stale ones, acknowledgement, a retention window) in one process.
 */
export class MemoryEventStream implements EventStream {
  private readonly entries: StreamedEvent[] = [];
  private readonly groups = new Map<string, Group>();
  private lastMs = 0;
  private sequence = 0;
  /** Blocked readers' wake-ups: each removes itself on waking, by publish, close or its own timeout. */
  private readonly waiters = new Set<() => void>();
  private closed = false;

  async publish(events: readonly StreamEvent[]): Promise<void> {
    if (events.length === 0) return;
    for (const event of events) {
      const now = Date.now();
      this.sequence = now === this.lastMs ? this.sequence + 1 : 0;
      this.lastMs = Math.max(now, this.lastMs);
      this.entries.push({ streamId: `${this.lastMs}-${this.sequence}`, event });
    }
    this.trim();
    this.wakeAll();
  }

  async ensureGroup(group: string): Promise<void> {
    if (!this.groups.has(group)) this.groups.set(group, { next: this.entries.length, pending: new Map() });
  }

  async readGroup(group: string, consumer: string, count: number, blockMs: number): Promise<StreamedEvent[]> {
    const state = this.groupState(group);
    if (state.next >= this.entries.length) await this.waitForPublish(blockMs);
    const taken = this.entries.slice(state.next, state.next + count);
    state.next += taken.length;
    for (const entry of taken) state.pending.set(entry.streamId, { consumer, deliveredAtMs: Date.now(), entry });
    return taken;
  }

  async claimStale(group: string, consumer: string, minIdleMs: number, count: number): Promise<StreamedEvent[]> {
    const state = this.groupState(group);
    const now = Date.now();
    const claimed: StreamedEvent[] = [];
    for (const pending of state.pending.values()) {
      if (claimed.length >= count) break;
      if (now - pending.deliveredAtMs < minIdleMs) continue;
      pending.consumer = consumer;
      pending.deliveredAtMs = now;
      claimed.push(pending.entry);
    }
    return claimed;
  }

  async ack(group: string, streamIds: readonly string[]): Promise<void> {
    const state = this.groupState(group);
    for (const id of streamIds) state.pending.delete(id);
  }

  async readAfter(streamId: string, count: number): Promise<StreamedEvent[]> {
    const start = this.entries.findIndex((entry) => compareStreamIds(entry.streamId, streamId) > 0);
    return start < 0 ? [] : this.entries.slice(start, start + count);
  }

  async latestId(): Promise<string> {
    return this.entries.at(-1)?.streamId ?? '0-0';
  }

  async follow(afterId: string, count: number, blockMs: number): Promise<StreamedEvent[]> {
    checkFollowArgs(count, blockMs);
    const deadlineMs = Date.now() + blockMs;
    // A publish wakes every waiter; one whose entries are not after `afterId` waits out the rest of its block, as XREAD does.
    while (!this.closed) {
      const ready = await this.readAfter(afterId, count);
      if (ready.length > 0) return ready;
      const leftMs = deadlineMs - Date.now();
      if (leftMs <= 0) break;
      await this.waitForPublish(leftMs);
    }
    return [];
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeAll();
  }

  /** Resolves on the next publish or close, or after `blockMs`, whichever comes first; at once when closed. */
  private waitForPublish(blockMs: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, blockMs);
      this.waiters.add(wake);
    });
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }

  private groupState(group: string): Group {
    const state = this.groups.get(group);
    if (!state) throw new Error(`NOGROUP: no consumer group ${group}; call ensureGroup first`);
    return state;
  }

  /** Drops what is older than the retention window, as Redis' MINID trimming does. */
  private trim(): void {
    const cutoff = Date.now() - STREAM_RETENTION_MS;
    let drop = 0;
    while (drop < this.entries.length && Number(this.entries[drop]!.streamId.split('-')[0]) < cutoff) drop++;
    if (drop === 0) return;
    this.entries.splice(0, drop);
    for (const group of this.groups.values()) group.next = Math.max(0, group.next - drop);
  }
}

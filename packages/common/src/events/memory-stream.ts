import type { OrderEvent, StreamedEvent } from './order-event.js';
import { STREAM_RETENTION_MS, type EventStream } from './stream.js';

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
  private waiters: Array<() => void> = [];
  private closed = false;

  async publish(events: readonly OrderEvent[]): Promise<void> {
    for (const event of events) {
      const now = Date.now();
      this.sequence = now === this.lastMs ? this.sequence + 1 : 0;
      this.lastMs = Math.max(now, this.lastMs);
      this.entries.push({ streamId: `${this.lastMs}-${this.sequence}`, event });
    }
    this.trim();
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  async ensureGroup(group: string): Promise<void> {
    if (!this.groups.has(group)) this.groups.set(group, { next: this.entries.length, pending: new Map() });
  }

  async readGroup(group: string, consumer: string, count: number, blockMs: number): Promise<StreamedEvent[]> {
    const state = this.groupState(group);
    if (state.next >= this.entries.length && !this.closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, blockMs);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
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
    const start = this.entries.findIndex((entry) => compareIds(entry.streamId, streamId) > 0);
    return start < 0 ? [] : this.entries.slice(start, start + count);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiters) wake();
    this.waiters = [];
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

function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am - bm || (as ?? 0) - (bs ?? 0);
}

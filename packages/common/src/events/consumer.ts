import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.js';
import type { StreamedEvent, StreamEvent } from './order-event.js';
import type { EventStream } from './stream.js';

export interface ConsumerOptions {
  readonly group: string;
  /** Unique per process: what the stream's pending list names. */
  readonly consumer: string;
  /** Applies one event; must be idempotent, since an event can arrive more than once, and pass over the types it has no use for. */
  readonly handle: (event: StreamEvent) => Promise<void>;
  readonly log: Logger;
  /** Entries per read. */
  readonly batchSize?: number;
  /** How long one read waits for new entries; also how quickly stop() takes effect. */
  readonly blockMs?: number;
  /** An entry another consumer took and has not acknowledged for this long is taken over: it crashed, or hangs. */
  readonly claimIdleMs?: number;
  /** Called after each event is applied (metrics: the lag from its commit). */
  readonly onApplied?: (event: StreamEvent) => void;
}

export interface RunningConsumer {
  stop(): Promise<void>;
}

const DEFAULT_BATCH_SIZE = 100;
const DEFAULT_BLOCK_MS = 1_000;
const DEFAULT_CLAIM_IDLE_MS = 30_000;
/** After a failed read or apply, wait before trying again, so that a dead Redis is not hammered. */
const RETRY_PAUSE_MS = 500;

/**
 * A consumer-group reader: acknowledges an entry only after `handle` applied it, and takes
 * over what crashed consumers left pending. An entry whose apply fails stays pending, and is
 * retried when it goes stale.
 */
export function startConsumer(stream: EventStream, options: ConsumerOptions): RunningConsumer {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const blockMs = options.blockMs ?? DEFAULT_BLOCK_MS;
  const claimIdleMs = options.claimIdleMs ?? DEFAULT_CLAIM_IDLE_MS;
  let running = true;
  let lastClaimMs = 0;

  const loop = async () => {
    while (running) {
      try {
        await stream.ensureGroup(options.group);
        let entries: StreamedEvent[] = [];
        if (Date.now() - lastClaimMs >= claimIdleMs / 2) {
          lastClaimMs = Date.now();
          entries = await stream.claimStale(options.group, options.consumer, claimIdleMs, batchSize);
        }
        if (entries.length === 0) entries = await stream.readGroup(options.group, options.consumer, batchSize, blockMs);
        const applied: string[] = [];
        try {
          for (const { streamId, event } of entries) {
            if (!running) break;
            await options.handle(event);
            applied.push(streamId);
            options.onApplied?.(event);
          }
        } finally {
          await stream.ack(options.group, applied);
        }
      } catch (error) {
        if (!running) break;
        options.log.warn({ err: error, group: options.group }, 'event consumer: read or apply failed; retrying');
        await sleep(RETRY_PAUSE_MS);
      }
    }
  };
  const done = loop();
  return {
    stop: async () => {
      running = false;
      await done;
    },
  };
}

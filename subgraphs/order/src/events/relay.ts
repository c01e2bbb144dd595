import { setTimeout as sleep } from 'node:timers/promises';
import { LockTimeoutError, placeholders, type Db, type EventStream, type Logger, type OrderEvent } from '@ordergraph/common';

export interface RelayOptions {
  readonly db: Db;
  readonly stream: EventStream;
  readonly log: Logger;
  /** Events per round; one XADD pipeline and one UPDATE each. */
  readonly batchSize?: number;
  /** How often an idle relay looks for new events: the floor of the commit-to-stream lag. */
  readonly pollMs?: number;
}

export interface RunningRelay {
  /** Look now rather than at the next poll (called after a local commit). */
  wake(): void;
  stop(): Promise<void>;
  /** Resolves once the outbox has nothing unpublished left (tests, and the benchmark). */
  drained(): Promise<void>;
}

const DEFAULT_BATCH_SIZE = 500;
/** 50 ms keeps the lag to Redis well under the contract's second at 20 idle queries a second. */
const DEFAULT_POLL_MS = 50;
const ERROR_PAUSE_MS = 500;
const LEADER_LOCK = 'order-outbox-relay';
/** A standby replica asks for the lock this often, which bounds how long stop() may wait. */
const LEADER_WAIT_S = 2;

/**
 * Publishes outbox rows to the stream in commit order (seq), at least once, then marks them
 * sent. One relay publishes at a time: every replica runs one, and they take turns holding a
 * database lock, so that each order's events reach the stream in order. A crash between the
 * publish and the mark publishes the batch again on the next round; consumers deduplicate on
 * eventId. A crash between commit and publish loses nothing: the rows wait in the outbox.
 */
export function startRelay(options: RelayOptions): RunningRelay {
  const { db, stream, log } = options;
  // Polling is not serving: keep it out of the per-request statement counts.
  const outbox = db.uncounted();
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  let running = true;
  let wakeUp: (() => void) | undefined;
  let idleWaiters: Array<() => void> = [];

  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  /** One round: true when it published something. */
  const publishBatch = async (): Promise<boolean> => {
    const rows = await outbox.query<{ seq: number; payload: string }>(
      'SELECT seq, payload FROM order_events WHERE published_at_ms IS NULL ORDER BY seq LIMIT ?',
      [batchSize],
    );
    if (rows.length === 0) return false;
    await stream.publish(rows.map((row) => JSON.parse(row.payload) as OrderEvent));
    await outbox.execute(
      `UPDATE order_events SET published_at_ms = ? WHERE seq IN (${placeholders(rows.length)})`,
      [Date.now(), ...rows.map((row) => Number(row.seq))],
    );
    return true;
  };

  const loop = async () => {
    while (running) {
      try {
        await db.withLock(LEADER_LOCK, async () => {
          while (running) {
            if (await publishBatch()) continue;
            for (const resolve of idleWaiters) resolve();
            idleWaiters = [];
            await nap(pollMs);
          }
        }, LEADER_WAIT_S);
      } catch (error) {
        if (!running) break;
        // Another replica is publishing: stand by and ask again.
        if (error instanceof LockTimeoutError) continue;
        log.warn({ err: error }, 'outbox relay: round failed; retrying');
        await sleep(ERROR_PAUSE_MS);
      }
    }
  };
  const done = loop();

  return {
    wake: () => wakeUp?.(),
    stop: async () => {
      running = false;
      wakeUp?.();
      await done;
      for (const resolve of idleWaiters) resolve();
    },
    drained: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        wakeUp?.();
      }),
  };
}

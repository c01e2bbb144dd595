/**
 * Open-loop load at a steady rate: request k leaves at start + k / rate whether or not earlier
 * ones have answered, so a slow server meets the same arrivals a fast one does and its queue
 * shows in the latency. (autocannon's overallRate is closed-loop within one-second windows:
 * every connection fires at each second's start until its quota is spent, so its p99 measures
 * that burst, not the rate.)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { percentile } from './stats.js';

export interface PacedSpec {
  readonly url: string;
  readonly ratePerS: number;
  /** Sent at the rate but not measured: connections opening, JIT, the server's pools filling. */
  readonly warmUpS: number;
  readonly durationS: number;
  /** Beyond this many requests in flight the server is not keeping up: the rest are counted as dropped. */
  readonly maxInFlight: number;
  readonly next: () => { body: string; authorization?: string };
}

export interface PacedResult {
  readonly ratePerS: number;
  /** Measured requests sent (each answered or failed). */
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  /** Transport failures, non-2xx answers and GraphQL bodies with errors. */
  readonly errors: number;
  /** Not sent because maxInFlight were already waiting. */
  readonly dropped: number;
  /** How late the sender was at its worst (p99): a busy load generator shows here. */
  readonly p99SendLagMs: number;
}

/** A request that has not answered in this long has failed, whatever the server does later. */
const REQUEST_TIMEOUT_MS = 10_000;

export async function runPacedLoad(spec: PacedSpec): Promise<PacedResult> {
  const url = new URL(spec.url);
  const pool = new Pool(url.origin, { connections: spec.maxInFlight, pipelining: 1 });
  const latenciesMs: number[] = [];
  let errors = 0;

  const send = async (measured: boolean) => {
    const { body, authorization } = spec.next();
    const started = performance.now();
    let failed = false;
    try {
      const response = await pool.request({
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.body.text();
      failed = response.statusCode < 200 || response.statusCode >= 300 || text.includes('"errors"');
    } catch {
      failed = true;
    }
    if (!measured) return;
    latenciesMs.push(performance.now() - started);
    if (failed) errors++;
  };

  let lagsMs: number[];
  let dropped: number;
  try {
    ({ lagsMs, dropped } = await pace(spec, send));
  } finally {
    await pool.close();
  }
  return {
    ratePerS: spec.ratePerS,
    requests: latenciesMs.length,
    p50Ms: percentile(latenciesMs, 0.5),
    p99Ms: percentile(latenciesMs, 0.99),
    p999Ms: percentile(latenciesMs, 0.999),
    errors,
    dropped,
    p99SendLagMs: percentile(lagsMs, 0.99),
  };
}

export interface PaceTiming {
  readonly ratePerS: number;
  readonly durationS: number;
  /** Sent first and not measured. */
  readonly warmUpS: number;
  /** Sends beyond this many unanswered are skipped and, when measured, counted as dropped. */
  readonly maxInFlight: number;
  /** Called as the first measured send is due. */
  readonly onMeasureStart?: () => void;
}

/**
 * Calls `send` at a fixed rate, open loop: on schedule whether or not earlier sends have
 * answered, so a slow server shows as latency rather than as a lower rate. Returns how late
 * each measured send started against its schedule, and how many were dropped.
 */
export async function pace(timing: PaceTiming, send: (measured: boolean) => Promise<void>): Promise<{ lagsMs: number[]; dropped: number }> {
  const intervalMs = 1_000 / timing.ratePerS;
  const total = Math.round(timing.ratePerS * (timing.warmUpS + timing.durationS));
  const firstMeasured = Math.round(timing.ratePerS * timing.warmUpS);
  const lagsMs: number[] = [];
  let dropped = 0;
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  const start = performance.now();
  for (let k = 0; k < total; ) {
    const now = performance.now();
    for (; k < total && start + k * intervalMs <= now; k++) {
      const measured = k >= firstMeasured;
      if (k === firstMeasured) timing.onMeasureStart?.();
      if (measured) lagsMs.push(now - (start + k * intervalMs));
      if (inFlight >= timing.maxInFlight) {
        if (measured) dropped++;
        continue;
      }
      inFlight++;
      const request = send(measured).finally(() => {
        inFlight--;
        pending.delete(request);
      });
      pending.add(request);
    }
    if (k < total) await sleep(Math.max(0, start + k * intervalMs - performance.now()));
  }
  await Promise.all(pending);
  return { lagsMs, dropped };
}

/**
 * The highest steady rate at which a gateway keeps a workload's p99 within a target, end to
 * end as the client sees it: open-loop steps (paced-load.ts) searched by rate-search.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchServers, GatewayName } from './bench-servers.js';
import type { Workload } from './bench-workloads.js';
import { runPacedLoad, type PacedResult } from './paced-load.js';
import { findMaxRate } from './rate-search.js';
import { formatTable, runLoad } from './run-autocannon.js';

export interface MaxRateSettings {
  readonly gateways: readonly GatewayName[];
  readonly stepSeconds: number;
  readonly warmUpS: number;
}

/** The search doubles from here: under what either gateway serves even on a busy machine. */
const START_RATE_PER_S = 20;
/** Above what two shared cores can serve; a gateway passing it needs a bigger machine to measure. */
const CAP_RATE_PER_S = 5_000;
/** More than this in flight and the gateway is not keeping up anyway; the rest count as dropped. */
const MAX_IN_FLIGHT = 256;
/** A step lasts long enough for this many measured requests: with fewer, p99 is just the maximum. */
const MIN_STEP_REQUESTS = 200;
/** Sent at each step's rate before it is measured: connections opening. */
const STEP_WARM_UP_S = 1;
/** Between steps, the subgraphs' background work (the outbox relay after PlaceOrder) catches up. */
const PAUSE_BETWEEN_STEPS_MS = 1_000;
/** Before the first step, closed-loop requests warm the gateway's JIT and pools. */
const WARM_UP_CONNECTIONS = 4;

const stepRow = (gateway: GatewayName, result: PacedResult, passed: boolean) => ({
  gateway,
  'rate/s': result.ratePerS,
  requests: result.requests,
  'p50 ms': result.p50Ms.toFixed(1),
  'p99 ms': result.p99Ms.toFixed(1),
  'p999 ms': result.p999Ms.toFixed(1),
  errors: result.errors,
  dropped: result.dropped,
  'send lag p99 ms': result.p99SendLagMs.toFixed(1),
  verdict: passed ? 'pass' : 'fail',
});

/** Prints every step as it ends; returns one summary line per gateway. */
export async function searchMaxRate(servers: BenchServers, workload: Workload, p99TargetMs: number, settings: MaxRateSettings): Promise<string[]> {
  const lines: string[] = [];
  for (const name of settings.gateways) {
    const gateway = servers.gateways.get(name);
    if (!gateway) throw new Error(`no ${name} gateway is running`);
    console.log(
      `\n${workload.name} on ${name}: highest steady rate with p99 ≤ ${p99TargetMs} ms ` +
        `(steps of ${STEP_WARM_UP_S} s warm-up + ${settings.stepSeconds} s, longer for ${MIN_STEP_REQUESTS} requests at low rates)`,
    );
    if (settings.warmUpS > 0) {
      await runLoad({ name: 'warm-up', url: gateway.ready.url, connections: WARM_UP_CONNECTIONS, durationS: settings.warmUpS, next: workload.next });
    }
    const found = await findMaxRate({
      startRatePerS: START_RATE_PER_S,
      capRatePerS: CAP_RATE_PER_S,
      p99TargetMs,
      probe: async (ratePerS) => {
        const durationS = Math.max(settings.stepSeconds, Math.ceil(MIN_STEP_REQUESTS / ratePerS));
        const result = await runPacedLoad({ url: gateway.ready.url, ratePerS, warmUpS: STEP_WARM_UP_S, durationS, maxInFlight: MAX_IN_FLIGHT, next: workload.next });
        await sleep(PAUSE_BETWEEN_STEPS_MS);
        return result;
      },
      onStep: ({ result, passed }) =>
        console.log(`  ${result.ratePerS} req/s: p99 ${result.p99Ms.toFixed(1)} ms, ${result.errors} errors, ${result.dropped} dropped: ${passed ? 'pass' : 'fail'}`),
    });
    console.log(formatTable(found.steps.map(({ result, passed }) => stepRow(name, result, passed))));
    const lowest = Math.min(...found.steps.map((s) => s.result.ratePerS));
    const verdict = found.maxRatePerS === 0 ? `none of the rates tried, down to ${lowest} req/s,` : `${found.capped ? '≥ ' : ''}${found.maxRatePerS} req/s`;
    lines.push(`${workload.name} on ${name}: ${verdict} with p99 ≤ ${p99TargetMs} ms`);
  }
  return lines;
}

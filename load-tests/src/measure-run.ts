import { setTimeout as sleep } from 'node:timers/promises';
import type { Workload } from './bench-workloads.js';
import { runLoad, type LoadResult } from './run-autocannon.js';

/** A process that reports its own CPU usage (a gateway or the subgraphs, in a child). */
export interface CpuReporter {
  cpuUsage(): Promise<NodeJS.CpuUsage>;
}

export interface RunSettings {
  readonly seconds: number;
  readonly warmUpS: number;
  readonly connections: number;
}

/** One measured run and what it cost each process. */
export interface Measured {
  readonly load: LoadResult;
  /** The gateway process's CPU time ÷ the requests answered in the run. */
  readonly cpuMsPerRequest: number;
  /** Gateway CPU time ÷ wall time: 1 is one core busy throughout. */
  readonly cpuCores: number;
  /** The same for the subgraphs' process. */
  readonly subgraphsCpuMsPerRequest: number;
  /** This process's CPU time ÷ wall time: near 1, the load generator itself is what limits the rate. */
  readonly loadGeneratorCores: number;
}

/** After a run, the requests autocannon abandoned finish, and the CPU they cost lands in their run. */
const SETTLE_MS = 250;

const cpuMs = (before: NodeJS.CpuUsage, after: NodeJS.CpuUsage) => (after.user - before.user + after.system - before.system) / 1_000;

/**
 * A closed-loop warm-up, then a measured autocannon run at fixed connections, with each
 * process's CPU time read just before the measured run and after it has settled.
 * `onMeasureStart` runs right before the measured run (to snapshot counters of one's own).
 */
export async function measureGatewayRun(
  gateway: CpuReporter & { readonly ready: { readonly url: string } },
  subgraphs: CpuReporter,
  name: string,
  workload: Workload,
  settings: RunSettings,
  onMeasureStart?: () => void,
): Promise<Measured> {
  const load = (label: string, durationS: number) =>
    runLoad({ name: label, url: gateway.ready.url, connections: settings.connections, durationS, next: workload.next });
  if (settings.warmUpS > 0) await load('warm-up', settings.warmUpS);
  await sleep(SETTLE_MS);
  const before = await Promise.all([gateway.cpuUsage(), subgraphs.cpuUsage()]);
  onMeasureStart?.();
  const ownBefore = process.cpuUsage();
  const startedMs = performance.now();
  const result = await load(name, settings.seconds);
  await sleep(SETTLE_MS);
  const after = await Promise.all([gateway.cpuUsage(), subgraphs.cpuUsage()]);
  const ownAfter = process.cpuUsage();
  const wallMs = performance.now() - startedMs;
  const gatewayMs = cpuMs(before[0], after[0]);
  const requests = Math.max(1, result.requests);
  return {
    load: result,
    cpuMsPerRequest: gatewayMs / requests,
    cpuCores: gatewayMs / wallMs,
    subgraphsCpuMsPerRequest: cpuMs(before[1], after[1]) / requests,
    loadGeneratorCores: cpuMs(ownBefore, ownAfter) / wallMs,
  };
}

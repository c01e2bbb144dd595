/**
 * The processes the mix and data-size benchmarks run: the subgraphs on a chosen world
 * (data-size-subgraphs-process.ts) and our gateway in front of them (gateway-process.ts, with
 * the settings bench-servers.ts gives it), each a child process so that its CPU time is its own.
 */
import { request } from 'undici';
import { gatewayEnv } from './bench-servers.js';
import { ChildServerProcess } from './child-process.js';
import type { BenchSubgraphsReady, StatementCounts } from './data-size-subgraphs-process.js';
import { WORLD_VARIABLE, type WorldName } from './data-size-worlds.js';
import type { GatewayReady } from './gateway-process.js';

const SUBGRAPHS_SCRIPT = new URL('./data-size-subgraphs-process.ts', import.meta.url);
const GATEWAY_SCRIPT = new URL('./gateway-process.ts', import.meta.url);

export interface WorldServers {
  readonly world: WorldName;
  readonly subgraphs: ChildServerProcess<BenchSubgraphsReady>;
  readonly gateway: ChildServerProcess<GatewayReady>;
  /** The SQL statements each subgraph has run for requests so far. */
  statementCounts(): Promise<StatementCounts>;
  stop(): Promise<void>;
}

/** For the scale world, the caller has made sure the kept world is complete (ensureKeptWorld). */
export async function startWorldServers(world: WorldName): Promise<WorldServers> {
  const subgraphs = await ChildServerProcess.start<BenchSubgraphsReady>('subgraphs', SUBGRAPHS_SCRIPT, { [WORLD_VARIABLE]: world });
  const gateway = await ChildServerProcess.start<GatewayReady>('gateway', GATEWAY_SCRIPT, gatewayEnv(subgraphs.ready.urls)).catch(async (error: unknown) => {
    await subgraphs.stop();
    throw error;
  });
  return {
    world,
    subgraphs,
    gateway,
    statementCounts: async () => (await (await request(subgraphs.ready.statementsUrl)).body.json()) as StatementCounts,
    // The gateway first, so that nothing reaches the subgraphs while they close.
    stop: async () => {
      await gateway.stop();
      await subgraphs.stop();
    },
  };
}

/** Milliseconds of CPU between two readings of process.cpuUsage(). */
export const cpuMs = (before: NodeJS.CpuUsage, after: NodeJS.CpuUsage) => (after.user - before.user + after.system - before.system) / 1_000;

/**
 * Our gateway and the stock one side by side on one workload: rounds alternate which goes
 * first, so that a machine growing busier or quieter weighs on both alike. Each run is a
 * closed-loop warm-up, then a measured autocannon run at fixed connections.
 *
 * CPU ms/request: the gateway process's own CPU time (process.cpuUsage in that process, user +
 * system, all its threads: JS, GC, libuv) from just before the measured run to just after it
 * has settled, divided by the requests autocannon saw answered in it.
 */
import { GATEWAYS, type BenchServers, type GatewayName } from './bench-servers.js';
import type { Workload } from './bench-workloads.js';
import { measureGatewayRun, type Measured } from './measure-run.js';
import { formatTable } from './run-autocannon.js';
import { median } from './stats.js';

export interface CompareSettings {
  readonly rounds: number;
  readonly seconds: number;
  readonly warmUpS: number;
  readonly connections: number;
}

interface Run extends Measured {
  readonly round: number;
  readonly gateway: GatewayName;
}

async function measureRun(servers: BenchServers, name: GatewayName, round: number, workload: Workload, settings: CompareSettings): Promise<Run> {
  const gateway = servers.gateways.get(name);
  if (!gateway) throw new Error(`no ${name} gateway is running`);
  return { round, gateway: name, ...(await measureGatewayRun(gateway, servers.subgraphs, name, workload, settings)) };
}

const runRow = (run: Run) => ({
  round: run.round,
  gateway: run.gateway,
  requests: run.load.requests,
  'req/s': run.load.rps.toFixed(0),
  'p50 ms': run.load.p50Ms,
  'p99 ms': run.load.p99Ms,
  'p999 ms': run.load.p999Ms,
  errors: run.load.errors + run.load.graphqlErrors,
  'non-2xx': run.load.non2xx,
  'CPU ms/req': run.cpuMsPerRequest.toFixed(3),
  'CPU cores': run.cpuCores.toFixed(2),
  'subgraphs CPU ms/req': run.subgraphsCpuMsPerRequest.toFixed(3),
  'load gen cores': run.loadGeneratorCores.toFixed(2),
});

export async function compareGateways(servers: BenchServers, workload: Workload, settings: CompareSettings): Promise<void> {
  console.log(`${settings.connections} connections, ${settings.warmUpS} s warm-up + ${settings.seconds} s measured per run, ${settings.rounds} round(s)`);
  const runs: Run[] = [];
  for (let round = 1; round <= settings.rounds; round++) {
    const order = round % 2 === 1 ? GATEWAYS : [...GATEWAYS].reverse();
    for (const name of order) {
      const run = await measureRun(servers, name, round, workload, settings);
      runs.push(run);
      console.log(`  round ${round} ${name}: ${run.load.rps.toFixed(0)} req/s, p99 ${run.load.p99Ms} ms, ${run.cpuMsPerRequest.toFixed(3)} CPU ms/request`);
    }
  }
  console.log('\nevery run');
  console.log(formatTable(runs.map(runRow)));

  const of = (name: GatewayName) => runs.filter((r) => r.gateway === name);
  const summarize = (name: GatewayName) => {
    const mine = of(name);
    const m = (pick: (r: Run) => number) => median(mine.map(pick));
    return {
      rps: m((r) => r.load.rps),
      p50Ms: m((r) => r.load.p50Ms),
      p99Ms: m((r) => r.load.p99Ms),
      p999Ms: m((r) => r.load.p999Ms),
      errors: mine.reduce((n, r) => n + r.load.errors + r.load.graphqlErrors, 0),
      cpuMsPerRequest: m((r) => r.cpuMsPerRequest),
      subgraphsCpuMsPerRequest: m((r) => r.subgraphsCpuMsPerRequest),
    };
  };
  const summaries = GATEWAYS.map((name) => [name, summarize(name)] as const);
  console.log(`\nmedians over ${settings.rounds} round(s)`);
  console.log(formatTable(summaries.map(([name, s]) => ({
    gateway: name,
    'req/s': s.rps.toFixed(0),
    'p50 ms': s.p50Ms,
    'p99 ms': s.p99Ms,
    'p999 ms': s.p999Ms,
    'errors (all runs)': s.errors,
    'CPU ms/req': s.cpuMsPerRequest.toFixed(3),
    'subgraphs CPU ms/req': s.subgraphsCpuMsPerRequest.toFixed(3),
  }))));
  const ours = summarize('ours');
  for (const [other, theirs] of summaries.filter(([name]) => name !== 'ours')) {
    const paired = (pick: (r: Run) => number) => of('ours').map((r, i) => (pick(r) / pick(of(other)[i]!)).toFixed(2)).join(' ');
    console.log(`\nours ÷ ${other} (medians): CPU ms/request ${(ours.cpuMsPerRequest / theirs.cpuMsPerRequest).toFixed(2)}, req/s ${(ours.rps / theirs.rps).toFixed(2)}`);
    console.log(`  round by round:${' '.repeat(Math.max(1, other.length - 2))}CPU ms/request ${paired((r) => r.cpuMsPerRequest)}; req/s ${paired((r) => r.load.rps)}`);
  }
}

/**
 * What tracing costs the gateway: MyOrders (first: 10) through our gateway with tracing off,
 * on with 10 % of traces sampled (parentbased_traceidratio, 0.1) and on with every trace
 * sampled, side by side in one run. The subgraphs run in one child process, each gateway
 * configuration in a child of its own started with its OTEL_* variables, and the spans go
 * over OTLP/HTTP to a receiver in this process (POST /v1/traces, counted and dropped; one per
 * traced gateway, so that each one's exports are its own), so that building, batching,
 * serialising and sending them is all in the gateway's CPU time.
 *   npm run bench:tracing [-- --rounds 3 --seconds 10 --warm-up 3 --connections 16 --ratio 0.1]
 * Rounds alternate the order of the configurations (off, 10 %, 100 %, then the reverse), so
 * that a machine growing busier or quieter weighs on each alike. CPU ms/request is measured
 * as in bench-compare.ts: the gateway process's own CPU time over the measured run, divided by
 * the requests answered in it. OTEL_BSP_* in this process's environment reach the gateways.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { contractOperation, graphql } from '@ordergraph/testkit';
import { gatewayEnv } from './bench-servers.js';
import { customersWithFullPage, myOrders, rotatingTokens, type Workload } from './bench-workloads.js';
import { ChildServerProcess, isStoppingOnSignal, stopAllChildren, stopChildrenOnSignal } from './child-process.js';
import { measureGatewayRun, type Measured } from './measure-run.js';
import { formatTable, runLoad } from './run-autocannon.js';
import { median } from './stats.js';
import type { SubgraphsReady } from './subgraphs-process.js';
import type { TracedGatewayReady } from './traced-gateway-process.js';

const SUBGRAPHS_SCRIPT = new URL('./subgraphs-process.ts', import.meta.url);
const GATEWAY_SCRIPT = new URL('./traced-gateway-process.ts', import.meta.url);

// ─── options ─────────────────────────────────────────────────────────────────

function readOptions(args: string[]) {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      rounds: { type: 'string', default: '3' },
      seconds: { type: 'string', default: '10' },
      'warm-up': { type: 'string', default: '3' },
      connections: { type: 'string', default: '16' },
      ratio: { type: 'string', default: '0.1' },
    },
  });
  const count = (name: 'rounds' | 'seconds' | 'warm-up' | 'connections', min: number) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer ≥ ${min}; got ${JSON.stringify(values[name])}`);
    return value;
  };
  const ratio = Number(values.ratio);
  if (!(ratio > 0 && ratio < 1)) throw new Error(`--ratio must be between 0 and 1 (exclusive); got ${JSON.stringify(values.ratio)}`);
  return { rounds: count('rounds', 1), seconds: count('seconds', 1), warmUpS: count('warm-up', 0), connections: count('connections', 1), ratio };
}

// ─── the configurations ──────────────────────────────────────────────────────

interface Configuration {
  readonly name: string;
  /** Added to the gateway child's environment; every OTEL_* the telemetry package reads is set, so none leaks in from this shell. */
  readonly otel: Record<string, string>;
}

function configurations(ratio: number, tracesUrls: readonly [string, string]): Configuration[] {
  const on = (sampler: string, arg: number, tracesUrl: string): Record<string, string> => ({
    OTEL_SDK_DISABLED: 'false',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: tracesUrl,
    OTEL_TRACES_SAMPLER: sampler,
    OTEL_TRACES_SAMPLER_ARG: String(arg),
    OTEL_SERVICE_NAME: 'gateway',
  });
  return [
    { name: 'off', otel: { OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'none' } },
    { name: `on ${+(ratio * 100).toFixed(2)}%`, otel: on('parentbased_traceidratio', ratio, tracesUrls[0]) },
    { name: 'on 100%', otel: on('parentbased_always_on', 1, tracesUrls[1]) },
  ];
}


// ─── the OTLP receiver ───────────────────────────────────────────────────────

interface ReceiverCounts {
  requests: number;
  bytes: number;
  /** Requests to anything but POST /v1/traces: none expected. */
  other: number;
}

/** A stand-in collector: accepts OTLP/HTTP trace exports (JSON or protobuf), counts them, keeps nothing. */
async function startOtlpReceiver(): Promise<{ readonly tracesUrl: string; readonly counts: Readonly<ReceiverCounts>; close(): Promise<void> }> {
  const counts: ReceiverCounts = { requests: 0, bytes: 0, other: 0 };
  const server: Server = createServer((request, response) => {
    const isExport = request.method === 'POST' && request.url?.split('?')[0] === '/v1/traces';
    let bytes = 0;
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => {
      if (!isExport) {
        counts.other++;
        response.writeHead(404).end();
        return;
      }
      counts.requests++;
      counts.bytes += bytes;
      // An empty ExportTraceServiceResponse: everything accepted.
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    tracesUrl: `http://127.0.0.1:${port}/v1/traces`,
    counts,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

// ─── measuring ───────────────────────────────────────────────────────────────

interface Run extends Measured {
  readonly round: number;
  readonly configuration: string;
  /**
   * This gateway's OTLP exports received, and their bytes, during the measured run. The batch
   * processor sends every 5 s (OTEL_BSP_SCHEDULE_DELAY) or per 512 spans, so a run's count
   * includes some spans of the warm-up before it and misses some of its own last seconds.
   */
  readonly exports: number;
  readonly exportBytes: number;
}

async function measureRun(
  gateway: ChildServerProcess<TracedGatewayReady>,
  subgraphs: ChildServerProcess<SubgraphsReady>,
  receiver: Readonly<ReceiverCounts> | undefined,
  configuration: string,
  round: number,
  workload: Workload,
  settings: ReturnType<typeof readOptions>,
): Promise<Run> {
  let received = { requests: 0, bytes: 0 };
  const measured = await measureGatewayRun(gateway, subgraphs, configuration, workload, settings, () => {
    received = { requests: receiver?.requests ?? 0, bytes: receiver?.bytes ?? 0 };
  });
  return {
    round,
    configuration,
    ...measured,
    exports: (receiver?.requests ?? 0) - received.requests,
    exportBytes: (receiver?.bytes ?? 0) - received.bytes,
  };
}

const runRow = (run: Run) => ({
  round: run.round,
  tracing: run.configuration,
  requests: run.load.requests,
  'req/s': run.load.rps.toFixed(0),
  'p50 ms': run.load.p50Ms,
  'p99 ms': run.load.p99Ms,
  errors: run.load.errors + run.load.graphqlErrors,
  'non-2xx': run.load.non2xx,
  'CPU ms/req': run.cpuMsPerRequest.toFixed(3),
  'CPU cores': run.cpuCores.toFixed(2),
  'subgraphs CPU ms/req': run.subgraphsCpuMsPerRequest.toFixed(3),
  'load gen cores': run.loadGeneratorCores.toFixed(2),
  exports: run.exports,
  'export KB': (run.exportBytes / 1024).toFixed(0),
});

const percentChange = (value: number, base: number) => (base === 0 ? 'n/a' : `${value >= base ? '+' : ''}${(((value - base) / base) * 100).toFixed(1)}%`);

function report(runs: readonly Run[], names: readonly string[], settings: ReturnType<typeof readOptions>): void {
  console.log('\nevery run');
  console.log(formatTable(runs.map(runRow)));

  const summarize = (name: string) => {
    const mine = runs.filter((r) => r.configuration === name);
    const m = (pick: (r: Run) => number) => median(mine.map(pick));
    return {
      name,
      rps: m((r) => r.load.rps),
      p50Ms: m((r) => r.load.p50Ms),
      p99Ms: m((r) => r.load.p99Ms),
      errors: mine.reduce((n, r) => n + r.load.errors + r.load.graphqlErrors + r.load.non2xx, 0),
      cpuMsPerRequest: m((r) => r.cpuMsPerRequest),
      exportBytesPerRequest: m((r) => r.exportBytes / Math.max(1, r.load.requests)),
    };
  };
  const summaries = names.map(summarize);
  const off = summaries[0]!;
  console.log(`\nmedians over ${settings.rounds} round(s), and the change against tracing off`);
  console.log(
    formatTable(
      summaries.map((s) => ({
        tracing: s.name,
        'req/s': s.rps.toFixed(0),
        'Δ req/s': s === off ? '' : percentChange(s.rps, off.rps),
        'p50 ms': s.p50Ms,
        'p99 ms': s.p99Ms,
        'Δ p99': s === off ? '' : percentChange(s.p99Ms, off.p99Ms),
        'CPU ms/req': s.cpuMsPerRequest.toFixed(3),
        'Δ CPU ms/req': s === off ? '' : percentChange(s.cpuMsPerRequest, off.cpuMsPerRequest),
        'export bytes/req': s.exportBytesPerRequest.toFixed(0),
        'errors (all runs)': s.errors,
      })),
    ),
  );
  if (settings.rounds < 3) console.log('\n(fewer than 3 rounds: a single run on a shared machine says little; use --rounds 3 or more for a reading)');
}

// ─── main ────────────────────────────────────────────────────────────────────

async function checkMyOrders(name: string, url: string, authorization: string): Promise<void> {
  const result = await graphql<{ me: { orders: { edges: unknown[] } } }>(url, contractOperation('MyOrders'), { first: 10 }, { authorization });
  const edges = result.data?.me.orders.edges.length;
  if (result.errors || edges !== 10) throw new Error(`gateway (tracing ${name}): MyOrders should answer 10 orders without errors; got ${edges} and ${JSON.stringify(result.errors)}`);
}

async function main(): Promise<void> {
  const settings = readOptions(process.argv.slice(2));
  stopChildrenOnSignal();
  const receivers = await Promise.all([startOtlpReceiver(), startOtlpReceiver()]);
  try {
    // The subgraphs trace nothing here: only the gateway's cost is measured.
    const subgraphs = await ChildServerProcess.start<SubgraphsReady>('subgraphs', SUBGRAPHS_SCRIPT, { OTEL_SDK_DISABLED: 'true' });
    const env = gatewayEnv(subgraphs.ready.urls);
    const configs = configurations(settings.ratio, [receivers[0].tracesUrl, receivers[1].tracesUrl]);
    const receiverOf = new Map(configs.slice(1).map((c, i) => [c.name, receivers[i]!] as const));
    const gateways = new Map(
      await Promise.all(
        configs.map(async (c) => [c.name, await ChildServerProcess.start<TracedGatewayReady>(`gateway (tracing ${c.name})`, GATEWAY_SCRIPT, { ...env, ...c.otel })] as const),
      ),
    );
    const customers = customersWithFullPage();
    const nextToken = await rotatingTokens(customers);
    for (const c of configs) {
      const gateway = gateways.get(c.name)!;
      const expected = c.name !== 'off';
      if (gateway.ready.tracing !== expected) throw new Error(`gateway (tracing ${c.name}) has tracing ${gateway.ready.tracing ? 'on' : 'off'}; its OTEL_* variables did not take`);
      await checkMyOrders(c.name, gateway.ready.url, nextToken());
    }
    console.log(`\nMyOrders (first: 10) as ${customers.length} customers in turn, through our gateway with tracing off / on ${settings.ratio * 100}% / on 100%`);
    console.log(`spans go over OTLP/HTTP to receivers in this process that count and drop them (${receivers.map((r) => r.tracesUrl).join(', ')})`);
    console.log(`${settings.connections} connections, ${settings.warmUpS} s warm-up + ${settings.seconds} s measured per run, ${settings.rounds} round(s), after ${Math.max(3, settings.warmUpS)} s priming each gateway`);
    // The subgraphs' first seconds under load are slow (JIT, MySQL and Redis caches, pools):
    // unmeasured, they would weigh on whichever configuration went first in round 1.
    const primeS = Math.max(3, settings.warmUpS);
    for (const c of configs) {
      await runLoad({ name: 'prime', url: gateways.get(c.name)!.ready.url, connections: settings.connections, durationS: primeS, next: myOrders(nextToken).next });
    }
    const runs: Run[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      const order = round % 2 === 1 ? configs : [...configs].reverse();
      for (const c of order) {
        const run = await measureRun(gateways.get(c.name)!, subgraphs, receiverOf.get(c.name)?.counts, c.name, round, myOrders(nextToken), settings);
        runs.push(run);
        console.log(`  round ${round} ${c.name}: ${run.load.rps.toFixed(0)} req/s, p99 ${run.load.p99Ms} ms, ${run.cpuMsPerRequest.toFixed(3)} CPU ms/request, ${run.exports} exports (${(run.exportBytes / 1024).toFixed(0)} KB)`);
      }
    }
    report(runs, configs.map((c) => c.name), settings);
    for (const [name, { counts }] of receiverOf) {
      console.log(`${name === configs[1]!.name ? '\n' : ''}OTLP receiver of tracing ${name}: ${counts.requests} exports, ${(counts.bytes / 1024 / 1024).toFixed(1)} MB in all${counts.other ? `, ${counts.other} unexpected requests` : ''}`);
    }
  } finally {
    await stopAllChildren();
    await Promise.all(receivers.map((r) => r.close()));
  }
}

await main().catch((error: unknown) => {
  if (!isStoppingOnSignal()) console.error(error);
  process.exitCode = 1;
});

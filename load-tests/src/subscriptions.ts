/**
 * Subscriptions at scale: thousands of StoreOrderEvents subscribers on our gateway while orders
 * flow. Prints the latency from each event's commit to its receipt (p50/p99/max), messages
 * delivered per second, messages lost or duplicated (the run fails on any), the gateway's
 * memory before, with all connected and after the load, and its CPU per delivered message.
 *   npm run bench:subscriptions [-- --subscribers 2000 --stores 100 --rate 10 --seconds 30 --warm-up 5 --connect-batch 100]
 * The subgraphs run in one child process and our gateway in another, reading the subgraphs'
 * order events stream; orders are placed and accepted through the subgraph process's own
 * gateway, so that the measured gateway does subscription work alone. This process connects
 * the subscribers and places the orders. LOG_LEVEL=warn shows the gateway's warnings as they happen.
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { World } from '@ordergraph/common';
import { LABEL, SUBSCRIPTION_METRIC } from '@ordergraph/telemetry';
import { TEST_WORLD } from '@ordergraph/testkit';
import { gatewayEnv } from './bench-servers.js';
import { ChildServerProcess, isStoppingOnSignal, stopAllChildren, stopChildrenOnSignal } from './child-process.js';
import type { GatewayReady } from './gateway-process.js';
import { formatTable } from './run-autocannon.js';
import { percentile } from './stats.js';
import { allArrived, readStreamIndex, tally, type Tally } from './subscriptions-deliveries.js';
import { GatewayMetrics } from './subscriptions-gateway-metrics.js';
import { runOrderFlow, type OrderFlowResult } from './subscriptions-orders.js';
import type { SubscriptionSubgraphsReady } from './subscriptions-subgraphs-process.js';
import { connectSubscribers } from './subscriptions-subscribers.js';

const SUBGRAPHS_SCRIPT = new URL('./subscriptions-subgraphs-process.ts', import.meta.url);
const GATEWAY_SCRIPT = new URL('./gateway-process.ts', import.meta.url);
/** How the subgraphs' child learns the world's store count (only a type may be imported from that file: a value would run it here). */
const WORLD_STORES_VARIABLE = 'BENCH_WORLD_STORES';
const FIELD = 'storeOrderEvents';
/** An event's `order` is resolved as a query named after the subscription operation. */
const OPERATION = 'StoreOrderEvents';

/** graphql-ws acknowledges no subscribe: after the last connection, the gateway gets this long to register the subscriptions… */
const SUBSCRIBE_SETTLE_MS = 2_000;
/** …and then its active-subscriptions gauge must reach the count within this. */
const SUBSCRIBED_TIMEOUT_MS = 30_000;
/** After the last order, every expected message should arrive within this; what has not by then is lost. */
const DRAIN_TIMEOUT_MS = 15_000;
/** Once all have arrived, wait this long more so that late duplicates are counted too. */
const QUIET_MS = 3_000;
const POLL_MS = 100;

type Options = ReturnType<typeof readOptions>;

function readOptions(args: string[]) {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      subscribers: { type: 'string', default: '2000' },
      stores: { type: 'string', default: '100' },
      rate: { type: 'string', default: '10' },
      seconds: { type: 'string', default: '30' },
      'warm-up': { type: 'string', default: '5' },
      'connect-batch': { type: 'string', default: '100' },
    },
  });
  const count = (name: keyof typeof values, min: number) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer ≥ ${min}; got ${JSON.stringify(values[name])}`);
    return value;
  };
  const subscribers = count('subscribers', 1);
  const stores = count('stores', 1);
  if (subscribers % stores !== 0) throw new Error(`--subscribers must be a multiple of --stores (the same number per store); got ${subscribers} over ${stores}`);
  return {
    subscribers,
    stores,
    perStore: subscribers / stores,
    ratePerS: count('rate', 1),
    durationS: count('seconds', 1),
    warmUpS: count('warm-up', 0),
    connectBatch: count('connect-batch', 1),
  };
}

/** The first `count` open stores' indices (World.isClosed says which are closed). */
function openStoreIndices(count: number): number[] {
  const indices: number[] = [];
  for (let i = 1; indices.length < count; i++) if (!World.isClosed(i)) indices.push(i);
  return indices;
}

const cpuMs = (before: NodeJS.CpuUsage, after: NodeJS.CpuUsage) => (after.user - before.user + after.system - before.system) / 1_000;
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}

/** The subgraphs on a world with enough open stores, then our gateway on their order events stream. */
async function startServers(options: Options, world: World) {
  const subgraphs = await ChildServerProcess.start<SubscriptionSubgraphsReady>('subgraphs', SUBGRAPHS_SCRIPT, { [WORLD_STORES_VARIABLE]: String(world.size.stores) });
  const gateway = await ChildServerProcess.start<GatewayReady>('gateway', GATEWAY_SCRIPT, {
    ...gatewayEnv(subgraphs.ready.urls),
    REDIS_URL: subgraphs.ready.redisUrl,
    REDIS_KEY_PREFIX: subgraphs.ready.redisKeyPrefix,
    // Every store's subscribers are connections of its one merchant: exactly that many each.
    CONNECTIONS_PER_PRINCIPAL: String(options.perStore),
    // As bench:events: on two busy cores a slow fetch should show as latency, not as a degraded event.
    SUBGRAPH_TIMEOUT_MS: '5000',
    REQUEST_DEADLINE_MS: '10000',
  });
  return { subgraphs, gateway };
}

/** Process CPU and the gateway's counters at one instant. */
interface Snapshot {
  readonly gatewayCpu: NodeJS.CpuUsage;
  readonly subgraphsCpu: NodeJS.CpuUsage;
  readonly ownCpu: NodeJS.CpuUsage;
  readonly metrics: GatewayMetrics;
  readonly atMs: number;
}

async function main(): Promise<boolean> {
  const options = readOptions(process.argv.slice(2));
  const storeIndices = openStoreIndices(options.stores);
  const world = new World({ ...TEST_WORLD, stores: storeIndices[storeIndices.length - 1]! });
  const storeIds = storeIndices.map((i) => `s${i}`);
  stopChildrenOnSignal();
  const { subgraphs, gateway } = await startServers(options, world);
  const url = gateway.ready.url;
  const snapshot = async (): Promise<Snapshot> => {
    const [gatewayCpu, subgraphsCpu, metrics] = await Promise.all([gateway.cpuUsage(), subgraphs.cpuUsage(), GatewayMetrics.scrape(url)]);
    return { gatewayCpu, subgraphsCpu, ownCpu: process.cpuUsage(), metrics, atMs: Date.now() };
  };
  const memory: Array<{ phase: string; metrics: GatewayMetrics }> = [{ phase: 'before subscribers', metrics: await GatewayMetrics.scrape(url) }];

  console.log(
    `\n${options.subscribers} subscribers: ${options.perStore} connections to each of ${options.stores} open stores (${storeIds[0]}…${storeIds[storeIds.length - 1]}),` +
      ` every connection as its store's merchant (merchant('m<k>', 's<k>')), one StoreOrderEvents subscription each; CONNECTIONS_PER_PRINCIPAL=${options.perStore}`,
  );
  const subscribers = await connectSubscribers(url, storeIds, options.perStore, options.connectBatch);
  await sleep(SUBSCRIBE_SETTLE_MS);
  let subscribed = await GatewayMetrics.scrape(url);
  const allSubscribed = await waitUntil(async () => {
    subscribed = await GatewayMetrics.scrape(url);
    return subscribed.subscriptions(FIELD).active >= options.subscribers;
  }, SUBSCRIBED_TIMEOUT_MS);
  const refused = subscribers.all.filter((s) => s.recording.errors.length > 0 || s.closedBy);
  if (!allSubscribed || refused.length > 0) {
    await subscribers.close();
    throw new Error(
      `all ${options.subscribers} subscribers should be subscribed; the gateway counts ${subscribed.subscriptions(FIELD).active}, and ${refused.length} were refused or closed` +
        ` (first: ${JSON.stringify(refused[0]?.closedBy ?? refused[0]?.recording.errors)})`,
    );
  }
  console.log(`connected in ${(subscribers.connectMs / 1_000).toFixed(1)} s, ${options.connectBatch} at a time; the gateway counts ${subscribed.subscriptions(FIELD).active} subscriptions`);
  memory.push({ phase: 'all connected', metrics: subscribed });

  console.log(`orders: ${options.ratePerS}/s for ${options.warmUpS} s of warm-up and ${options.durationS} s measured, each placed and then accepted, over the stores in turn…`);
  let measureStart: Promise<Snapshot> | undefined;
  const flow = await runOrderFlow({
    gatewayUrl: subgraphs.ready.ordersGatewayUrl,
    world,
    storeIndices,
    ratePerS: options.ratePerS,
    warmUpS: options.warmUpS,
    durationS: options.durationS,
    onMeasureStart: () => (measureStart = snapshot()),
  });
  const drained = await waitUntil(() => allArrived(subscribers.all, flow.expected), DRAIN_TIMEOUT_MS);
  const start = await measureStart!;
  const end = await snapshot();
  await sleep(QUIET_MS);
  const ended = await GatewayMetrics.scrape(url);
  memory.push({ phase: 'end of load', metrics: ended });

  const closedByGateway = subscribers.all.filter((s) => s.closedBy).map((s) => `${s.closedBy!.code} ${s.closedBy!.reason}`);
  const result = tally(subscribers.all, flow.expected, await readStreamIndex(subgraphs.ready.redisUrl, subgraphs.ready.redisKeyPrefix), start.atMs);
  await subscribers.close();
  let released = ended;
  await waitUntil(async () => {
    released = await GatewayMetrics.scrape(url);
    return released.subscriptions(FIELD).connections === 0;
  }, DRAIN_TIMEOUT_MS);
  memory.push({ phase: 'all disconnected', metrics: released });

  console.log(`\norders: ${flow.placed} placed, ${flow.accepted} accepted; failed calls: ${formatCounts(flow.failures)}; the sender's worst lag ${flow.maxSendLagMs.toFixed(0)} ms`);
  if (!drained) console.log(`not every subscriber had all its store's events ${DRAIN_TIMEOUT_MS / 1_000} s after the last order`);
  if (closedByGateway.length > 0) console.log(`connections the gateway closed: ${closedByGateway.length} (first: ${closedByGateway[0]})`);
  if (result.sampleErrors.length > 0) console.log(`messages with errors, the first: ${result.sampleErrors.join(' | ')}`);
  console.log(`the gateway's own counts: subscriptions refused ${formatCounts(ended.byLabel(SUBSCRIPTION_METRIC.refused, LABEL.code))}, connections closed ${formatCounts(ended.byLabel(SUBSCRIPTION_METRIC.closed, LABEL.reason))}`);
  printReport(options, flow, result, start, end, memory);
  return result.lost === 0 && result.duplicated === 0;
}

function printReport(options: Options, flow: OrderFlowResult, result: Tally, start: Snapshot, end: Snapshot, memory: ReadonlyArray<{ phase: string; metrics: GatewayMetrics }>): void {
  const measured = result.latenciesMs.length;
  const wallMs = end.atMs - start.atMs;
  const gatewayCpuMs = cpuMs(start.gatewayCpu, end.gatewayCpu);
  const delta = (read: (m: GatewayMetrics) => number) => read(end.metrics) - read(start.metrics);
  const resolutions = delta((m) => m.operation(OPERATION, 'query').count);
  const resolutionSeconds = delta((m) => m.operation(OPERATION, 'query').seconds);
  const handOffs = delta((m) => m.sum(`${SUBSCRIPTION_METRIC.deliveryLag}_count`));
  const handOffSeconds = delta((m) => m.sum(`${SUBSCRIPTION_METRIC.deliveryLag}_sum`));
  const latency = (values: readonly number[]) => `${percentile(values, 0.5)} / ${percentile(values, 0.99)} / ${percentile(values, 1)} ms`;
  const ratio = (a: number, b: number, digits: number, scale = 1) => (b > 0 ? ((a / b) * scale).toFixed(digits) : '-');

  console.log(
    `\nStoreOrderEvents: ${options.subscribers} subscribers (${options.perStore} × ${options.stores} stores), ${options.ratePerS} orders/s, each placed and accepted;` +
      ` measured ${options.durationS} s after ${options.warmUpS} s of warm-up`,
  );
  console.log(formatTable([
    { figure: 'commit → client receipt, p50 / p99 / max', value: latency(result.latenciesMs) },
    { figure: '  of which stream append → client receipt', value: latency(result.fromStreamMs) },
    { figure: '  commit → client receipt during the warm-up', value: latency(result.warmUpLatenciesMs) },
    { figure: 'commit → gateway hand-off, mean (its histogram)', value: `${ratio(handOffSeconds, handOffs, 0, 1_000)} ms` },
    { figure: 'messages delivered per second', value: ratio(measured, (result.lastAtMs - start.atMs) / 1_000, 0) },
    { figure: 'messages expected / received (whole run)', value: `${result.expected} / ${result.received}` },
    { figure: 'lost / duplicated / unexpected', value: `${result.lost} / ${result.duplicated} / ${result.unexpected}` },
    { figure: 'messages with errors', value: result.withErrors },
    { figure: 'event resolutions per event / mean ms each', value: `${ratio(resolutions, flow.measuredEvents, 2)} / ${ratio(resolutionSeconds, resolutions, 0, 1_000)} ms` },
    { figure: 'gateway CPU ms per delivered message', value: ratio(gatewayCpuMs, measured, 3) },
    { figure: 'cores busy: gateway / subgraphs / load generator', value: [gatewayCpuMs, cpuMs(start.subgraphsCpu, end.subgraphsCpu), cpuMs(start.ownCpu, end.ownCpu)].map((ms) => ratio(ms, wallMs, 2)).join(' / ') },
    ...memory.map(({ phase, metrics }) => {
      const { rssBytes, heapUsedBytes } = metrics.memory();
      const { connections, active } = metrics.subscriptions(FIELD);
      return { figure: `gateway RSS / heapUsed, ${phase} (${connections} conn., ${active} subs.)`, value: `${mib(rssBytes)} / ${mib(heapUsedBytes)} MiB` };
    }),
  ]));
}

function formatCounts(counts: ReadonlyMap<string, number> | Readonly<Record<string, number>>): string {
  const parts = (counts instanceof Map ? [...counts] : Object.entries(counts)).filter(([, n]) => n > 0).map(([key, n]) => `${key || '?'} ${n}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

try {
  if (!(await main())) {
    console.error('\nFAILED: messages were lost or duplicated');
    process.exitCode = 1;
  }
} catch (error) {
  // After Ctrl-C the run fails as its servers go away: no stack trace for that.
  if (!isStoppingOnSignal()) console.error(error);
  process.exitCode = 1;
} finally {
  await stopAllChildren();
}

/**
 * The lunch-peak mix (mix-workload.ts) at a steady open-loop rate against our gateway, in its
 * own child process in front of the subgraphs (another child) on real MariaDB and Redis.
 *   npm run bench:mix [-- --rate 40 --seconds 30 --rounds 3 --warm-up 5 --world test|default|scale]
 *     Each round: per operation, requests, errors by code, p50/p99 and whether it meets its bar
 *     (queries p99 ≤ 40 ms, mutations p99 ≤ 150 ms); the answered req/s; gateway and subgraphs
 *     CPU ms per request. Then the medians of the rounds.
 *   Then the highest total rate at which every query and every mutation class meets its bar
 *   (rate-search.ts; `--no-search` skips it, `--step-seconds` sets its steps' length).
 * `--world scale` runs on the kept scale world (data-size-worlds.ts), and adds its placed orders to it.
 * LOG_LEVEL=error shows the gateway's errors as they happen, TEST_LOG_LEVEL=error the subgraphs'.
 */
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { isStoppingOnSignal, stopAllChildren, stopChildrenOnSignal } from './child-process.js';
import { describeWorld, ensureKeptWorld, KEPT_PREFIX, parseWorldName, WORLDS } from './data-size-worlds.js';
import { barRows, displayRow, medianRows, meetsBar, operationRows, STATUS_CHANGES, type OperationRow } from './mix-report.js';
import { runMixedPacedLoad, type GraphQLAnswer, type MixRequest } from './mix-paced-load.js';
import { mixPrincipals } from './mix-principals.js';
import { cpuMs, startWorldServers, type WorldServers } from './mix-servers.js';
import { LunchPeakMix, MIX_SHARES, QUERY_OPERATIONS, type MixKind } from './mix-workload.js';
import type { PacedResult } from './paced-load.js';
import { findMaxRate } from './rate-search.js';
import { formatTable } from './run-autocannon.js';
import { median } from './stats.js';

/** More than this in flight and the gateway is not keeping up anyway; the rest count as dropped. */
const MAX_IN_FLIGHT = 256;
/** Orders placed before the load, so that the status changes have orders to move from the first second. */
const PRIMED_ORDERS = 20;
/** Between rounds and search steps, the subgraphs' background work (the outbox relay, the consumer) catches up. */
const PAUSE_MS = 2_000;
/** After a run, in-flight work finishes and its CPU lands in that run. */
const SETTLE_MS = 250;
/** The search doubles from here: below what the mix needs to show anything on two shared cores. */
const SEARCH_START_RATE_PER_S = 10;
/** Above what two shared cores serve. */
const SEARCH_CAP_RATE_PER_S = 640;
/**
 * A search step lasts long enough for this many requests: UpdateLocation (2 %) then has 10,
 * PlaceOrder and the status changes (4 % each) 20, the rarest query (Me, 5 %) 25.
 */
const MIN_STEP_REQUESTS = 500;
/** Sent at each step's rate before it is measured. */
const STEP_WARM_UP_S = 2;

function readOptions(args: string[]) {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      rate: { type: 'string', default: '40' },
      seconds: { type: 'string', default: '30' },
      rounds: { type: 'string', default: '3' },
      'warm-up': { type: 'string', default: '5' },
      world: { type: 'string', default: 'test' },
      'no-search': { type: 'boolean', default: false },
      'step-seconds': { type: 'string', default: '10' },
    },
  });
  const number = (name: 'rate' | 'seconds' | 'rounds' | 'warm-up' | 'step-seconds', min: number) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min || (name !== 'rate' && !Number.isInteger(value))) {
      throw new Error(`--${name} must be ${name === 'rate' ? 'a number' : 'an integer'} ≥ ${min}; got ${JSON.stringify(values[name])}`);
    }
    return value;
  };
  return {
    ratePerS: number('rate', 0.1),
    seconds: number('seconds', 1),
    rounds: number('rounds', 1),
    warmUpS: number('warm-up', 0),
    world: parseWorldName(values.world),
    search: !values['no-search'],
    stepSeconds: number('step-seconds', 1),
  };
}

async function send(url: string, mixRequest: MixRequest): Promise<GraphQLAnswer> {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(mixRequest.authorization ? { authorization: mixRequest.authorization } : {}) },
    body: mixRequest.body,
  });
  const answer = (await response.body.json()) as GraphQLAnswer;
  mixRequest.onAnswer?.(answer);
  return answer;
}

/**
 * Every kind of request once, in order, each of which must answer without errors: a wrong
 * principal or variable shows here, not as an error count. Places PRIMED_ORDERS orders, and
 * takes one of them through all five status changes.
 */
async function checkMix(url: string, mix: LunchPeakMix): Promise<void> {
  const check = async (kind: MixKind | 'status change', mixRequest: MixRequest) => {
    const answer = await send(url, mixRequest);
    if (answer.errors?.length || !answer.data) throw new Error(`${kind} (${mixRequest.operation}) should answer without errors; got ${JSON.stringify(answer.errors)}`);
  };
  for (let i = 0; i < PRIMED_ORDERS; i++) await check('PlaceOrder', mix.request('PlaceOrder'));
  for (const kind of [...QUERY_OPERATIONS, 'UpdateLocation'] as MixKind[]) await check(kind, mix.request(kind));
  for (let step = 0; step < 5; step++) {
    const next = mix.pipeline.next();
    if (!next) throw new Error('the status pipeline should have an order waiting after the orders placed to prime it');
    await check('status change', next);
  }
}

interface Round {
  readonly rows: OperationRow[];
  readonly answeredPerS: number;
  readonly dropped: number;
  readonly sendLagP99Ms: number;
  readonly gatewayCpuMsPerRequest: number;
  readonly gatewayCores: number;
  readonly subgraphsCpuMsPerRequest: number;
  readonly loadGeneratorCores: number;
}

async function runRound(servers: WorldServers, mix: LunchPeakMix, ratePerS: number, warmUpS: number, durationS: number): Promise<Round> {
  let before: Promise<[NodeJS.CpuUsage, NodeJS.CpuUsage]> | undefined;
  let startedMs = 0;
  let ownBefore = process.cpuUsage();
  const result = await runMixedPacedLoad({
    url: servers.gateway.ready.url,
    ratePerS,
    warmUpS,
    durationS,
    maxInFlight: MAX_IN_FLIGHT,
    next: () => mix.next(),
    onMeasureStart: () => {
      before = Promise.all([servers.gateway.cpuUsage(), servers.subgraphs.cpuUsage()]);
      ownBefore = process.cpuUsage();
      startedMs = performance.now();
    },
  });
  const wallMs = performance.now() - startedMs;
  await sleep(SETTLE_MS);
  const after = await Promise.all([servers.gateway.cpuUsage(), servers.subgraphs.cpuUsage()]);
  const ownAfter = process.cpuUsage();
  const [gatewayBefore, subgraphsBefore] = await before!;
  const requests = Math.max(1, result.requests);
  const gatewayMs = cpuMs(gatewayBefore, after[0]);
  return {
    rows: operationRows(result),
    answeredPerS: result.requests / (wallMs / 1_000),
    dropped: result.dropped,
    sendLagP99Ms: result.p99SendLagMs,
    gatewayCpuMsPerRequest: gatewayMs / requests,
    gatewayCores: gatewayMs / wallMs,
    subgraphsCpuMsPerRequest: cpuMs(subgraphsBefore, after[1]) / requests,
    loadGeneratorCores: cpuMs(ownBefore, ownAfter) / wallMs,
  };
}

function printRound(title: string, rows: readonly OperationRow[], round: Omit<Round, 'rows'>): void {
  const total = rows.filter((r) => r.operation !== STATUS_CHANGES).reduce((sum, r) => sum + r.requests, 0);
  console.log(`\n${title}`);
  console.log(formatTable(rows.map((r) => displayRow(r, total))));
  const within = barRows(rows).every(meetsBar) && round.dropped === 0;
  console.log(
    `answered ${round.answeredPerS.toFixed(1)} req/s, ${round.dropped} dropped, send lag p99 ${round.sendLagP99Ms.toFixed(1)} ms; ` +
      `gateway ${round.gatewayCpuMsPerRequest.toFixed(2)} CPU ms/req (${round.gatewayCores.toFixed(2)} cores), ` +
      `subgraphs ${round.subgraphsCpuMsPerRequest.toFixed(2)} CPU ms/req, load generator ${round.loadGeneratorCores.toFixed(2)} cores; ` +
      `every bar met: ${within ? 'yes' : 'no'}`,
  );
}

/** A search step as rate-search.ts sees it: `p99Ms` is the worst bar row's p99 ÷ its bar, so the target is 1. */
async function searchStep(servers: WorldServers, mix: LunchPeakMix, ratePerS: number, stepSeconds: number): Promise<{ paced: PacedResult; rows: OperationRow[] }> {
  const durationS = Math.max(stepSeconds, Math.ceil(MIN_STEP_REQUESTS / ratePerS));
  const result = await runMixedPacedLoad({ url: servers.gateway.ready.url, ratePerS, warmUpS: STEP_WARM_UP_S, durationS, maxInFlight: MAX_IN_FLIGHT, next: () => mix.next() });
  await sleep(PAUSE_MS);
  const rows = barRows(operationRows(result));
  const worst = Math.max(...rows.filter((r) => r.requests > 0).map((r) => r.p99Ms / r.barMs));
  const errors = rows.reduce((sum, r) => sum + r.errors, 0);
  const paced: PacedResult = { ratePerS, requests: result.requests, p50Ms: 0, p99Ms: worst, p999Ms: 0, errors, dropped: result.dropped, p99SendLagMs: result.p99SendLagMs };
  return { paced, rows };
}

async function searchMaxMixRate(servers: WorldServers, mix: LunchPeakMix, stepSeconds: number): Promise<void> {
  console.log(
    `\nHighest total rate with every query's p99 ≤ 40 ms and every mutation class's p99 ≤ 150 ms, no errors, nothing dropped ` +
      `(steps of ${STEP_WARM_UP_S} s warm-up + ${stepSeconds} s, longer for ${MIN_STEP_REQUESTS} requests)`,
  );
  const stepRows = new Map<number, OperationRow[]>();
  const found = await findMaxRate({
    startRatePerS: SEARCH_START_RATE_PER_S,
    capRatePerS: SEARCH_CAP_RATE_PER_S,
    p99TargetMs: 1,
    probe: async (ratePerS) => {
      const { paced, rows } = await searchStep(servers, mix, ratePerS, stepSeconds);
      stepRows.set(ratePerS, rows);
      return paced;
    },
    onStep: ({ result, passed }) => {
      const misses = stepRows.get(result.ratePerS)!.filter((r) => !meetsBar(r));
      const detail = misses.map((r) => `${r.operation} p99 ${r.p99Ms.toFixed(0)} ms${r.errors > 0 ? ` ${r.errors} errors` : ''}`).join(', ');
      console.log(`  ${result.ratePerS} req/s: worst p99 ${(result.p99Ms * 100).toFixed(0)} % of its bar, ${result.dropped} dropped: ${passed ? 'pass' : `fail (${detail})`}`);
    },
  });
  const lowest = Math.min(...found.steps.map((s) => s.result.ratePerS));
  console.log(
    found.maxRatePerS === 0
      ? `The mix meets every bar at none of the rates tried, down to ${lowest} req/s.`
      : `The mix meets every bar up to ${found.capped ? '≥ ' : ''}${found.maxRatePerS} req/s.`,
  );
  // Which operations hold the rate down: the highest rate tried at which each met its bar.
  const rates = [...stepRows.keys()].sort((a, b) => a - b);
  const perOperation = stepRows.get(rates[0]!)!.map((first) => {
    const met = rates.filter((rate) => meetsBar(stepRows.get(rate)!.find((r) => r.operation === first.operation)!));
    return { operation: first.operation, 'bar p99': `${first.barMs} ms`, 'highest rate tried meeting it': met.length > 0 ? `${Math.max(...met)} req/s` : `none (tried ${rates.join(', ')})` };
  });
  console.log(formatTable(perOperation));
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  stopChildrenOnSignal();
  const size = WORLDS[options.world];
  try {
    if (options.world === 'scale') await ensureKeptWorld(KEPT_PREFIX, size, console.log);
    const principals = await mixPrincipals(size);
    const servers = await startWorldServers(options.world);
    const mix = new LunchPeakMix(principals);
    await checkMix(servers.gateway.ready.url, mix);
    const shares = MIX_SHARES.map(([kind, share]) => `${kind} ${share} %`).join(', ');
    console.log(
      `Lunch-peak mix on the ${options.world} world (${describeWorld(size)}): ${shares}.\n` +
        `Principals: ${principals.customers.length} customers with ≥ 10 orders, merchants of ${principals.stores.length} open stores, ` +
        `${principals.riders.length} riders. Our gateway and the subgraphs each in a child process; ${options.rounds} rounds of ` +
        `${options.warmUpS} s warm-up + ${options.seconds} s at ${options.ratePerS} req/s, open loop. ` +
        `Load average before: ${loadavg()[0]!.toFixed(2)} (other work on the machine shows here).`,
    );
    const rounds: Round[] = [];
    for (let i = 1; i <= options.rounds; i++) {
      const round = await runRound(servers, mix, options.ratePerS, options.warmUpS, options.seconds);
      rounds.push(round);
      printRound(`Round ${i} of ${options.rounds}`, round.rows, round);
      await sleep(PAUSE_MS);
    }
    const pick = (f: (r: Round) => number) => median(rounds.map(f));
    if (rounds.length > 1) printRound(`Medians of ${rounds.length} rounds (requests and errors summed)`, medianRows(rounds.map((r) => r.rows)), {
      answeredPerS: pick((r) => r.answeredPerS),
      dropped: rounds.reduce((sum, r) => sum + r.dropped, 0),
      sendLagP99Ms: pick((r) => r.sendLagP99Ms),
      gatewayCpuMsPerRequest: pick((r) => r.gatewayCpuMsPerRequest),
      gatewayCores: pick((r) => r.gatewayCores),
      subgraphsCpuMsPerRequest: pick((r) => r.subgraphsCpuMsPerRequest),
      loadGeneratorCores: pick((r) => r.loadGeneratorCores),
    });
    console.log(
      `Status changes: ${mix.pipeline.delivered} orders delivered, ${mix.pipeline.failed} dropped after a failed step, ` +
        `${mix.pipeline.backlog} waiting; ${mix.statusTurnsWithoutOrder} status-change turns found no order waiting (sent UpdateLocation).`,
    );
    if (options.search) await searchMaxMixRate(servers, mix, options.stepSeconds);
  } finally {
    await stopAllChildren();
  }
}

await main().catch((error: unknown) => {
  // After Ctrl-C the runs fail as their servers go away: no stack trace for that.
  if (!isStoppingOnSignal()) console.error(error);
  process.exitCode = 1;
});

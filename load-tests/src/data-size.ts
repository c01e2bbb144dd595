/**
 * Whether view latency grows with data size: the same read views (data-size-views.ts), one at
 * a time at a fixed modest paced rate, through our gateway (child process) in front of the
 * subgraphs (another child), first on a small world and then on the scale world (100,000
 * users, 5,000 stores, 2,000 riders, 1,000,000 orders), side by side with the ratio, with the
 * SQL statements each view costs per request and, at scale, how MariaDB runs them.
 *   npm run bench:data-size [-- --rate 10 --seconds 20 --warm-up 3 --rounds 1 --small test|default --no-explain]
 *   npm run bench:data-size -- --drop     drops the kept scale world (databases and Redis keys bench_scale_*)
 * The scale world is seeded once (about 200 s) and kept: see data-size-worlds.ts.
 */
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { openMysql, SUBGRAPH_NAMES, type Db, type SubgraphName } from '@ordergraph/common';
import { dropPrefix, TEST_MYSQL_URL } from '@ordergraph/testkit';
import { isStoppingOnSignal, stopAllChildren, stopChildrenOnSignal } from './child-process.js';
import { explainViews, type ExplainRow } from './data-size-explain.js';
import type { StatementCounts } from './data-size-subgraphs-process.js';
import { dataSizeViews, type View } from './data-size-views.js';
import { describeWorld, ensureKeptWorld, KEPT_PREFIX, parseWorldName, WORLDS, type WorldName } from './data-size-worlds.js';
import { formatCodes } from './mix-report.js';
import { runMixedPacedLoad, type MixRequest } from './mix-paced-load.js';
import { startWorldServers, type WorldServers } from './mix-servers.js';
import { formatTable } from './run-autocannon.js';
import { median } from './stats.js';

/** Far above what a view at a modest rate keeps in flight; beyond it the server is not keeping up. */
const MAX_IN_FLIGHT = 64;
/** Between views, the last one's requests finish and the machine settles. */
const PAUSE_MS = 1_000;

function readOptions(args: string[]) {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      rate: { type: 'string', default: '10' },
      seconds: { type: 'string', default: '20' },
      'warm-up': { type: 'string', default: '3' },
      rounds: { type: 'string', default: '1' },
      small: { type: 'string', default: 'test' },
      'no-explain': { type: 'boolean', default: false },
      drop: { type: 'boolean', default: false },
    },
  });
  const number = (name: 'rate' | 'seconds' | 'warm-up' | 'rounds', min: number) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number ≥ ${min}; got ${JSON.stringify(values[name])}`);
    return value;
  };
  const small = parseWorldName(values.small);
  if (small === 'scale') throw new Error('--small must be a smaller world than scale: test or default');
  return {
    ratePerS: number('rate', 0.1),
    seconds: number('seconds', 1),
    warmUpS: number('warm-up', 0),
    rounds: Math.round(number('rounds', 1)),
    small,
    explain: !values['no-explain'],
    drop: values.drop,
  };
}

type Options = ReturnType<typeof readOptions>;

interface ViewResult {
  readonly name: string;
  readonly note: string;
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: string;
  /** SQL statements per request, by subgraph. */
  readonly statements: Readonly<Record<SubgraphName, number>>;
  /** InnoDB pages read from disk per request (the server's global counter: other work on the server counts too). */
  readonly diskReadsPerRequest: number;
}

/** Innodb_buffer_pool_reads: pages the buffer pool did not hold and read from disk. */
async function diskReads(db: Db): Promise<number> {
  const [row] = await db.query<{ Value: string }>("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_reads'");
  return Number(row?.Value ?? 0);
}

/** Every distinct request once, one at a time, each of which must answer without errors. */
async function warmAndCheck(url: string, view: View): Promise<void> {
  for (const { body, authorization } of view.requests) {
    const response = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body });
    const answer = (await response.body.json()) as { errors?: unknown[] };
    if (answer.errors?.length) throw new Error(`${view.name} should answer without errors; got ${JSON.stringify(answer.errors)} for ${body.slice(0, 200)}`);
  }
}

async function measureView(servers: WorldServers, db: Db, view: View, options: Options): Promise<ViewResult> {
  if (!view.firstReads) await warmAndCheck(servers.gateway.ready.url, view);
  let turn = 0;
  const next = (): MixRequest => view.requests[turn++ % view.requests.length]!;
  // First reads: as many requests as there are distinct ones, none of them twice.
  const durationS = view.firstReads ? Math.min(options.seconds, view.requests.length / options.ratePerS) : options.seconds;
  let before: Promise<[StatementCounts, number]> | undefined;
  const result = await runMixedPacedLoad({
    url: servers.gateway.ready.url,
    ratePerS: options.ratePerS,
    warmUpS: view.firstReads ? 0 : options.warmUpS,
    durationS,
    maxInFlight: MAX_IN_FLIGHT,
    next,
    onMeasureStart: () => (before = Promise.all([servers.statementCounts(), diskReads(db)])),
  });
  const after = await Promise.all([servers.statementCounts(), diskReads(db)]);
  const [statementsBefore, readsBefore] = await before!;
  const operation = [...result.byOperation.values()][0];
  const requests = Math.max(1, result.requests);
  return {
    name: view.name,
    note: view.note,
    requests: result.requests,
    p50Ms: operation?.p50Ms ?? 0,
    p99Ms: operation?.p99Ms ?? 0,
    errors: `${formatCodes(operation?.errorsByCode ?? new Map())}${result.dropped > 0 ? ` dropped×${result.dropped}` : ''}`,
    statements: Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, (after[0][name] - statementsBefore[name]) / requests])) as Record<SubgraphName, number>,
    diskReadsPerRequest: (after[1] - readsBefore) / requests,
  };
}

interface WorldRun {
  readonly results: ViewResult[];
  readonly explained: { readonly targets: string; readonly rows: ExplainRow[] } | null;
}

async function measureWorld(world: WorldName, options: Options, explain: boolean): Promise<WorldRun> {
  const size = WORLDS[world];
  const views = await dataSizeViews(size);
  const servers = await startWorldServers(world);
  const db = await openMysql({ url: TEST_MYSQL_URL, database: `${servers.subgraphs.ready.prefix}order`, connectionLimit: 1 });
  try {
    console.log(`\n${world} world (${describeWorld(size)}): ${views.length} views at ${options.ratePerS} req/s for ${options.seconds} s each; load average ${loadavg()[0]!.toFixed(2)}`);
    const results: ViewResult[] = [];
    for (const view of views) {
      const result = await measureView(servers, db, view, options);
      console.log(`  ${view.name}: p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, ${result.requests} requests, errors ${result.errors}`);
      results.push(result);
      await sleep(PAUSE_MS);
    }
    return { results, explained: explain ? await explainViews(servers.subgraphs.ready.prefix) : null };
  } finally {
    await db.close();
    await servers.stop();
  }
}

function printExplained(small: WorldName, smallRun: WorldRun, scaleRun: WorldRun): void {
  if (!smallRun.explained || !scaleRun.explained) return;
  const smallRows = new Map(smallRun.explained.rows.map((r) => [r.statement, r]));
  console.log(`\nThe views' statements run directly on MariaDB (${small}: ${smallRun.explained.targets}; scale: ${scaleRun.explained.targets}), median of a few runs:`);
  console.log(formatTable(scaleRun.explained.rows.map((l) => {
    const s = smallRows.get(l.statement);
    return {
      statement: l.statement,
      'access (scale)': l.access,
      'key (scale)': l.key,
      [`rows read ${small}`]: String(s?.rowsRead ?? '-'),
      'rows read scale': String(l.rowsRead ?? '-'),
      [`ms ${small}`]: s ? s.medianMs.toFixed(2) : '-',
      'ms scale': l.medianMs.toFixed(2),
      'extra (scale)': l.extra,
    };
  })));
}

const statementsCell = (s: Readonly<Record<SubgraphName, number>>) => {
  const total = SUBGRAPH_NAMES.reduce((sum, name) => sum + s[name], 0);
  const parts = SUBGRAPH_NAMES.filter((name) => s[name] >= 0.05).map((name) => `${name[0]}${s[name].toFixed(1).replace(/\.0$/, '')}`);
  return `${total.toFixed(1)} (${parts.join(' ') || '-'})`;
};

function printComparison(title: string, small: WorldName, smallResults: readonly ViewResult[], scaleResults: readonly ViewResult[]): void {
  const ratio = (a: number, b: number) => (a > 0 ? `${(b / a).toFixed(2)}×` : '-');
  console.log(`\n${title}`);
  console.log(formatTable(smallResults.map((s, i) => {
    const l = scaleResults[i]!;
    return {
      view: s.name,
      [`p50 ${small}`]: s.p50Ms.toFixed(1),
      'p50 scale': l.p50Ms.toFixed(1),
      'p50 ×': ratio(s.p50Ms, l.p50Ms),
      [`p99 ${small}`]: s.p99Ms.toFixed(1),
      'p99 scale': l.p99Ms.toFixed(1),
      'p99 ×': ratio(s.p99Ms, l.p99Ms),
      [`SQL/req ${small}`]: statementsCell(s.statements),
      'SQL/req scale': statementsCell(l.statements),
      'disk reads/req scale': l.diskReadsPerRequest.toFixed(1),
      errors: s.errors === '0' && l.errors === '0' ? '0' : `${s.errors} / ${l.errors}`,
    };
  })));
  console.log('SQL/req: statements per request in all, then by subgraph (s store, m menu, u user, o order, r rider).');
  console.log(formatTable(smallResults.map((s, i) => ({ view: s.name, [small]: s.note, scale: scaleResults[i]!.note }))));
}

/** Per view over rounds: the median p50 and p99, statements and disk reads; errors as in the first round that had any. */
function medianResults(rounds: ReadonlyArray<readonly ViewResult[]>): ViewResult[] {
  return rounds[0]!.map((first, i) => {
    const same = rounds.map((r) => r[i]!);
    return {
      ...first,
      requests: same.reduce((sum, r) => sum + r.requests, 0),
      p50Ms: median(same.map((r) => r.p50Ms)),
      p99Ms: median(same.map((r) => r.p99Ms)),
      errors: same.find((r) => r.errors !== '0')?.errors ?? '0',
      statements: Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, median(same.map((r) => r.statements[name]))])) as Record<SubgraphName, number>,
      diskReadsPerRequest: median(same.map((r) => r.diskReadsPerRequest)),
    };
  });
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  if (options.drop) {
    await dropPrefix(KEPT_PREFIX);
    console.log(`dropped the kept scale world: databases and Redis keys ${KEPT_PREFIX}*`);
    return;
  }
  stopChildrenOnSignal();
  try {
    await ensureKeptWorld(KEPT_PREFIX, WORLDS.scale, console.log);
    const smallRounds: ViewResult[][] = [];
    const scaleRounds: ViewResult[][] = [];
    for (let round = 1; round <= options.rounds; round++) {
      const explain = options.explain && round === 1;
      const small = await measureWorld(options.small, options, explain);
      const scale = await measureWorld('scale', options, explain);
      smallRounds.push(small.results);
      scaleRounds.push(scale.results);
      printComparison(`Round ${round} of ${options.rounds}: ${options.small} world vs scale world`, options.small, small.results, scale.results);
      printExplained(options.small, small, scale);
    }
    if (options.rounds > 1) printComparison(`Medians of ${options.rounds} rounds`, options.small, medianResults(smallRounds), medianResults(scaleRounds));
  } finally {
    await stopAllChildren();
  }
}

await main().catch((error: unknown) => {
  if (!isStoppingOnSignal()) console.error(error);
  process.exitCode = 1;
});

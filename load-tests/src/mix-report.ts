/**
 * What a mix run shows per operation against the seeds' bars (query path p99 40 ms, trade
 * path p99 150 ms), and the medians of several rounds.
 */
import type { MixPacedResult, OperationResult } from './mix-paced-load.js';
import { MUTATION_OPERATIONS, QUERY_OPERATIONS, STATUS_CHANGE_OPERATIONS } from './mix-workload.js';
import { median, percentile } from './stats.js';

/** The seeds' bars, end to end as a client sees them. */
export const QUERY_P99_BAR_MS = 40;
export const MUTATION_P99_BAR_MS = 150;

/** The five status-change kinds together: each alone is under 1 % of the mix, too few for a p99. */
export const STATUS_CHANGES = 'status changes (all 5)';

export interface OperationRow {
  readonly operation: string;
  readonly kind: 'query' | 'mutation';
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly errorsByCode: ReadonlyMap<string, number>;
  readonly barMs: number;
}

export const meetsBar = (row: OperationRow) => row.requests > 0 && row.errors === 0 && row.p99Ms <= row.barMs;

function row(operation: string, kind: OperationRow['kind'], result: Pick<OperationResult, 'requests' | 'p50Ms' | 'p99Ms' | 'errors' | 'errorsByCode'>): OperationRow {
  return { operation, kind, barMs: kind === 'query' ? QUERY_P99_BAR_MS : MUTATION_P99_BAR_MS, ...result, errorsByCode: result.errorsByCode };
}

function merged(results: readonly OperationResult[]): OperationResult {
  const latenciesMs = results.flatMap((r) => r.latenciesMs);
  const errorsByCode = new Map<string, number>();
  for (const r of results) for (const [code, n] of r.errorsByCode) errorsByCode.set(code, (errorsByCode.get(code) ?? 0) + n);
  return {
    requests: latenciesMs.length,
    p50Ms: percentile(latenciesMs, 0.5),
    p99Ms: percentile(latenciesMs, 0.99),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    errorsByCode,
    latenciesMs,
  };
}

/** Every operation of the mix in a fixed order, then the status changes together. */
export function operationRows(result: MixPacedResult): OperationRow[] {
  const empty: OperationResult = { requests: 0, p50Ms: 0, p99Ms: 0, errors: 0, errorsByCode: new Map(), latenciesMs: [] };
  const of = (name: string) => result.byOperation.get(name) ?? empty;
  return [
    ...QUERY_OPERATIONS.map((name) => row(name, 'query', of(name))),
    ...MUTATION_OPERATIONS.map((name) => row(name, 'mutation', of(name))),
    row(STATUS_CHANGES, 'mutation', merged(STATUS_CHANGE_OPERATIONS.map(of))),
  ];
}

/** The rows a rate must keep within their bars: each query, PlaceOrder, the status changes together, UpdateLocation. */
export function barRows(rows: readonly OperationRow[]): OperationRow[] {
  return rows.filter((r) => !STATUS_CHANGE_OPERATIONS.includes(r.operation));
}

export function formatCodes(codes: ReadonlyMap<string, number>): string {
  return codes.size === 0 ? '0' : [...codes].map(([code, n]) => `${code}×${n}`).join(' ');
}

export function displayRow(r: OperationRow, totalRequests: number) {
  return {
    operation: r.operation,
    requests: r.requests,
    share: totalRequests > 0 ? `${((100 * r.requests) / totalRequests).toFixed(1)} %` : '-',
    errors: formatCodes(r.errorsByCode),
    'p50 ms': r.requests > 0 ? r.p50Ms.toFixed(1) : '-',
    'p99 ms': r.requests > 0 ? r.p99Ms.toFixed(1) : '-',
    'bar p99': `${r.barMs} ms`,
    verdict: r.requests === 0 ? 'no requests' : meetsBar(r) ? 'meets' : r.errors > 0 && r.p99Ms <= r.barMs ? 'misses (errors)' : 'misses',
  };
}

/**
 * Per operation over rounds: requests and errors summed, p50 and p99 the medians of the
 * rounds' (a round is one sample of a noisy machine; pooling would let one bad round decide).
 */
export function medianRows(rounds: ReadonlyArray<readonly OperationRow[]>): OperationRow[] {
  return rounds[0]!.map((first, i) => {
    const same = rounds.map((r) => r[i]!);
    const errorsByCode = new Map<string, number>();
    for (const r of same) for (const [code, n] of r.errorsByCode) errorsByCode.set(code, (errorsByCode.get(code) ?? 0) + n);
    return {
      ...first,
      requests: same.reduce((sum, r) => sum + r.requests, 0),
      p50Ms: median(same.map((r) => r.p50Ms)),
      p99Ms: median(same.map((r) => r.p99Ms)),
      errors: same.reduce((sum, r) => sum + r.errors, 0),
      errorsByCode,
    };
  });
}

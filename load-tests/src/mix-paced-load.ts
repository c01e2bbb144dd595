/**
 * Open-loop load of several operations at once: request k leaves at start + k / rate whatever
 * the earlier ones are doing, as in paced-load.ts, but each request names its operation, and
 * latencies and errors (by `extensions.code`) are kept per operation. A request may also ask
 * for its answer (a placed order's id feeds the status changes that follow it).
 */
import { Pool } from 'undici';
import { pace } from './paced-load.js';
import { percentile } from './stats.js';

export interface MixRequest {
  readonly operation: string;
  readonly body: string;
  readonly authorization?: string;
  /** Called with the parsed answer, or null when there was none (transport failure, not JSON). */
  readonly onAnswer?: (answer: GraphQLAnswer | null) => void;
}

export interface GraphQLAnswer {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: ReadonlyArray<{ readonly extensions?: { readonly code?: unknown; readonly subgraph?: unknown } }>;
}

export interface MixPacedSpec {
  readonly url: string;
  readonly ratePerS: number;
  /** Sent at the rate but not measured: connections opening, JIT, the servers' pools filling. */
  readonly warmUpS: number;
  readonly durationS: number;
  /** Beyond this many requests in flight the server is not keeping up: the rest count as dropped. */
  readonly maxInFlight: number;
  /** The next request; called only for requests that are sent. */
  readonly next: () => MixRequest;
  /** Called as the first measured request leaves (to read the servers' CPU time then). */
  readonly onMeasureStart?: () => void;
}

export interface OperationResult {
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Requests that failed, by code: a GraphQL error's extensions.code (with the subgraph it names), or TRANSPORT / HTTP_<status>. */
  readonly errorsByCode: ReadonlyMap<string, number>;
  /** Requests with at least one error. */
  readonly errors: number;
  readonly latenciesMs: readonly number[];
}

export interface MixPacedResult {
  readonly ratePerS: number;
  readonly durationS: number;
  readonly byOperation: ReadonlyMap<string, OperationResult>;
  /** Measured requests answered (with or without errors). */
  readonly requests: number;
  /** Not sent because maxInFlight were already waiting. */
  readonly dropped: number;
  /** How late the sender was at its worst (p99): a busy load generator shows here. */
  readonly p99SendLagMs: number;
}

/** A request that has not answered in this long has failed, whatever the server does later. */
const REQUEST_TIMEOUT_MS = 10_000;

/** The codes a request failed with, each once; none for a clean answer. */
function failureCodes(statusCode: number | null, answer: GraphQLAnswer | null): string[] {
  if (statusCode === null) return ['TRANSPORT'];
  // A failing subgraph's code names it: SUBGRAPH_TIMEOUT(menu).
  const codes = new Set((answer?.errors ?? []).map(({ extensions }) =>
    `${String(extensions?.code ?? 'NO_CODE')}${typeof extensions?.subgraph === 'string' ? `(${extensions.subgraph})` : ''}`));
  if (codes.size === 0 && (statusCode < 200 || statusCode >= 300)) codes.add(`HTTP_${statusCode}`);
  if (codes.size === 0 && answer === null) codes.add('NOT_JSON');
  return [...codes];
}

class OperationSamples {
  readonly latenciesMs: number[] = [];
  readonly errorsByCode = new Map<string, number>();
  errors = 0;

  record(latencyMs: number, codes: readonly string[]): void {
    this.latenciesMs.push(latencyMs);
    if (codes.length > 0) this.errors++;
    for (const code of codes) this.errorsByCode.set(code, (this.errorsByCode.get(code) ?? 0) + 1);
  }

  result(): OperationResult {
    return {
      requests: this.latenciesMs.length,
      p50Ms: percentile(this.latenciesMs, 0.5),
      p99Ms: percentile(this.latenciesMs, 0.99),
      errorsByCode: this.errorsByCode,
      errors: this.errors,
      latenciesMs: this.latenciesMs,
    };
  }
}

export async function runMixedPacedLoad(spec: MixPacedSpec): Promise<MixPacedResult> {
  const url = new URL(spec.url);
  const pool = new Pool(url.origin, { connections: spec.maxInFlight, pipelining: 1 });
  const samples = new Map<string, OperationSamples>();

  const send = async (request: MixRequest, measured: boolean) => {
    const started = performance.now();
    let statusCode: number | null = null;
    let answer: GraphQLAnswer | null = null;
    try {
      const response = await pool.request({
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(request.authorization ? { authorization: request.authorization } : {}) },
        body: request.body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.body.text();
      statusCode = response.statusCode;
      try {
        answer = JSON.parse(text) as GraphQLAnswer;
      } catch {
        answer = null;
      }
    } catch {
      statusCode = null;
    }
    const latencyMs = performance.now() - started;
    request.onAnswer?.(statusCode === null ? null : answer);
    if (!measured) return;
    let operation = samples.get(request.operation);
    if (!operation) samples.set(request.operation, (operation = new OperationSamples()));
    operation.record(latencyMs, failureCodes(statusCode, answer));
  };

  let lagsMs: number[];
  let dropped: number;
  try {
    ({ lagsMs, dropped } = await pace(spec, (measured) => send(spec.next(), measured)));
  } finally {
    await pool.close();
  }
  const byOperation = new Map([...samples].map(([name, s]) => [name, s.result()] as const));
  return {
    ratePerS: spec.ratePerS,
    durationS: spec.durationS,
    byOperation,
    requests: [...byOperation.values()].reduce((sum, r) => sum + r.requests, 0),
    dropped,
    p99SendLagMs: percentile(lagsMs, 0.99),
  };
}

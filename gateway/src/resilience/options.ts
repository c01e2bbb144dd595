import { z } from 'zod';
import { ConfigError } from '@ordergraph/common';

/**
 * Every number of a subgraph's policy chain. Defaults hold until a subgraph's own latency is
 * known; then `npm run suggest-timeouts` prints p999 + mean per subgraph (the seeds' rule).
 */
export interface ResilienceOptions {
  /** One attempt's deadline. 1 s is ~50x what a healthy subgraph here answers in at p99, and keeps two levels inside the request deadline. */
  readonly timeoutMs: number;
  /** Requests in flight to the subgraph at once; as many as the keep-alive pool has sockets. */
  readonly maxConcurrent: number;
  /** Requests waiting for a slot; beyond it, SUBGRAPH_OVERLOADED at once. A few hundred ms of queue at a healthy rate. */
  readonly maxQueued: number;
  /** Keep-alive sockets to the subgraph. */
  readonly connections: number;
  /** Failure ratio over the window that opens the breaker. */
  readonly breakerThreshold: number;
  /** The breaker's rolling window. */
  readonly breakerWindowMs: number;
  /** Below this many requests per second in the window, the breaker never opens: a few failures of a quiet subgraph are noise. */
  readonly breakerMinRps: number;
  /** How long an open breaker answers SUBGRAPH_UNAVAILABLE before letting one probe through. */
  readonly breakerHalfOpenAfterMs: number;
  /** Retries of a failed query fetch (never a mutation). */
  readonly retries: number;
  /** First retry's backoff; later ones grow exponentially, with jitter, up to 10x this. */
  readonly retryBaseDelayMs: number;
  /** Retries may add at most this share of the subgraph's requests… */
  readonly retryBudgetRatio: number;
  /** …or this many a second, whichever is more, so that a quiet subgraph can still retry. */
  readonly retryBudgetMinPerSecond: number;
}

export const DEFAULT_RESILIENCE: ResilienceOptions = Object.freeze({
  timeoutMs: 1_000,
  maxConcurrent: 64,
  maxQueued: 256,
  connections: 64,
  breakerThreshold: 0.5,
  breakerWindowMs: 10_000,
  breakerMinRps: 5,
  breakerHalfOpenAfterMs: 5_000,
  retries: 1,
  retryBaseDelayMs: 20,
  retryBudgetRatio: 0.1,
  retryBudgetMinPerSecond: 10,
});

/** A value for every subgraph, or a function of the subgraph's name. */
export type PerSubgraph<T> = T | ((subgraph: { readonly subgraphName: string }) => T);

export function resolvePerSubgraph<T>(value: PerSubgraph<T>, subgraphName: string): T {
  return typeof value === 'function' ? (value as (s: { subgraphName: string }) => T)({ subgraphName }) : value;
}

/** Environment names: SUBGRAPH_<SETTING> for all, SUBGRAPH_<NAME>_<SETTING> for one, e.g. SUBGRAPH_MENU_TIMEOUT_MS. */
const SETTINGS: Readonly<Record<keyof ResilienceOptions, { env: string; schema: z.ZodType<number> }>> = {
  timeoutMs: { env: 'TIMEOUT_MS', schema: z.coerce.number().int().min(1).max(120_000) },
  maxConcurrent: { env: 'MAX_CONCURRENT', schema: z.coerce.number().int().min(1).max(10_000) },
  maxQueued: { env: 'MAX_QUEUED', schema: z.coerce.number().int().min(0).max(100_000) },
  connections: { env: 'CONNECTIONS', schema: z.coerce.number().int().min(1).max(10_000) },
  breakerThreshold: { env: 'BREAKER_THRESHOLD', schema: z.coerce.number().gt(0).max(1) },
  breakerWindowMs: { env: 'BREAKER_WINDOW_MS', schema: z.coerce.number().int().min(100).max(600_000) },
  breakerMinRps: { env: 'BREAKER_MIN_RPS', schema: z.coerce.number().min(0).max(100_000) },
  breakerHalfOpenAfterMs: { env: 'BREAKER_HALF_OPEN_AFTER_MS', schema: z.coerce.number().int().min(10).max(600_000) },
  retries: { env: 'RETRIES', schema: z.coerce.number().int().min(0).max(5) },
  retryBaseDelayMs: { env: 'RETRY_BASE_DELAY_MS', schema: z.coerce.number().int().min(0).max(10_000) },
  retryBudgetRatio: { env: 'RETRY_BUDGET_RATIO', schema: z.coerce.number().min(0).max(1) },
  retryBudgetMinPerSecond: { env: 'RETRY_BUDGET_MIN_PER_SECOND', schema: z.coerce.number().min(0).max(10_000) },
};

export function subgraphEnvPrefix(name: string): string {
  return `SUBGRAPH_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`;
}

/** Defaults, overridden by SUBGRAPH_<SETTING>, overridden by SUBGRAPH_<NAME>_<SETTING>; a bad value names its variable. */
export function resilienceFromEnv(env: Record<string, string | undefined>, base: ResilienceOptions = DEFAULT_RESILIENCE): PerSubgraph<ResilienceOptions> {
  const read = (variable: string, schema: z.ZodType<number>): number | undefined => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return undefined;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new ConfigError(`${variable}: ${parsed.error.issues[0]?.message ?? 'invalid'} (got ${JSON.stringify(raw)})`);
    return parsed.data;
  };
  const overrides = (prefix: string) => {
    const result: Partial<Record<keyof ResilienceOptions, number>> = {};
    for (const [key, { env: name, schema }] of Object.entries(SETTINGS) as Array<[keyof ResilienceOptions, (typeof SETTINGS)[keyof ResilienceOptions]]>) {
      const value = read(`${prefix}${name}`, schema);
      if (value !== undefined) result[key] = value;
    }
    return result;
  };
  const global = { ...base, ...overrides('SUBGRAPH_') };
  // Validate every per-subgraph variable now, not at the first request.
  for (const variable of Object.keys(env)) {
    for (const { env: name, schema } of Object.values(SETTINGS)) {
      if (variable.startsWith('SUBGRAPH_') && variable.endsWith(`_${name}`) && variable !== `SUBGRAPH_${name}`) read(variable, schema);
    }
  }
  return ({ subgraphName }) => Object.freeze({ ...global, ...overrides(subgraphEnvPrefix(subgraphName)) });
}

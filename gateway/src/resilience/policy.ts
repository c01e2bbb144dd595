import {
  bulkhead, circuitBreaker, CircuitState, ExponentialBackoff, handleWhen, retry, SamplingBreaker, timeout, TimeoutStrategy, wrap,
  type IDefaultPolicyContext,
} from 'cockatiel';
import { isRetryable, isSubgraphFault } from './faults.js';
import type { ResilienceOptions } from './options.js';
import { RetryBudget } from './retry-budget.js';

export type FetchKind = 'query' | 'mutation';

export interface PolicyEvents {
  onRetry?(subgraph: string): void;
  onBulkheadReject?(subgraph: string): void;
  onBreakerStateChange?(subgraph: string, state: 'closed' | 'open' | 'half-open'): void;
}

export interface SubgraphPolicy {
  /** Runs one fetch through the chain; `signal` is the request's overall deadline. */
  execute<T>(kind: FetchKind, fetch: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T>;
  readonly breakerState: 'closed' | 'open' | 'half-open';
  readonly inFlight: number;
  readonly queued: number;
}

const STATE_NAMES: Record<CircuitState, 'closed' | 'open' | 'half-open'> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/**
 * One subgraph's policy chain, outermost first:
 *
 *   retry (queries only, within the retry budget)
 *     → circuit breaker (fails fast while the subgraph is failing)
 *       → bulkhead (bounded in-flight requests and queue; rejects at once beyond them)
 *         → timeout (one attempt's deadline; aborts the HTTP request)
 *
 * A retry is a new pass through breaker and bulkhead, so it is counted and bounded like any
 * request; the breaker sits outside the bulkhead so that an open circuit costs no slot; the
 * timeout is innermost so that time queued is not charged to the subgraph.
 */
export function createSubgraphPolicy(subgraph: string, options: ResilienceOptions, events: PolicyEvents = {}): SubgraphPolicy {
  // Cooperative: the attempt is aborted and its slot is held until the HTTP request has really let go.
  // Not aborted on return: a returned attempt has read its whole response, and an abort builds a
  // DOMException with its stack trace on every fetch (4 % of the gateway's CPU).
  const attemptTimeout = timeout(options.timeoutMs, { strategy: TimeoutStrategy.Cooperative, abortOnReturn: false });
  const slots = bulkhead(options.maxConcurrent, options.maxQueued);
  const breaker = circuitBreaker(handleWhen(isSubgraphFault), {
    halfOpenAfter: options.breakerHalfOpenAfterMs,
    breaker: new SamplingBreaker({
      threshold: options.breakerThreshold,
      duration: options.breakerWindowMs,
      minimumRps: options.breakerMinRps,
    }),
  });
  const budget = new RetryBudget(options.retryBudgetRatio, options.retryBudgetMinPerSecond);
  const retries = retry(handleWhen((error) => isRetryable(error) && budget.tryWithdraw()), {
    maxAttempts: options.retries,
    backoff: new ExponentialBackoff({ initialDelay: options.retryBaseDelayMs, maxDelay: options.retryBaseDelayMs * 10 }),
  });

  const forMutations = wrap(breaker, slots, attemptTimeout);
  const forQueries = wrap(retries, forMutations);

  slots.onReject(() => events.onBulkheadReject?.(subgraph));
  breaker.onStateChange((state) => events.onBreakerStateChange?.(subgraph, STATE_NAMES[state]));
  retries.onRetry(() => events.onRetry?.(subgraph));

  return {
    execute<T>(kind: FetchKind, fetch: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
      const run = ({ signal: attemptSignal }: IDefaultPolicyContext) => fetch(attemptSignal);
      if (kind === 'mutation') return forMutations.execute(run, signal);
      budget.recordRequest();
      return forQueries.execute(run, signal);
    },
    get breakerState() {
      return STATE_NAMES[breaker.state];
    },
    get inFlight() {
      return options.maxConcurrent - slots.executionSlots;
    },
    get queued() {
      return options.maxQueued - slots.queueSlots;
    },
  };
}

import { BrokenCircuitError, BulkheadRejectedError, TaskCancelledError, IsolatedCircuitError } from 'cockatiel';
import type { GraphQLError } from 'graphql';
import { codedError, ErrorCode } from '@ordergraph/common';

/** The subgraph answered with an HTTP status that says it, not the request, failed. */
export class SubgraphHttpError extends Error {
  constructor(readonly status: number) {
    super(`subgraph answered HTTP ${status}`);
    this.name = 'SubgraphHttpError';
  }
}

export function isSubgraphHttpError(error: unknown): error is SubgraphHttpError {
  return error instanceof SubgraphHttpError;
}

/** Socket-level failures: the request may not have been processed, so a query can safely go again. */
const CONNECTION_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ENOTCONN']);

function causeCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    if (codes.length > 5) break;
  }
  return codes;
}

export function isConnectionError(error: unknown): boolean {
  return causeCodes(error).some((code) => CONNECTION_ERROR_CODES.has(code));
}

export function isTimeout(error: unknown): boolean {
  return error instanceof TaskCancelledError || (error instanceof Error && error.name === 'TimeoutError');
}

/** What the breaker counts against a subgraph: it failed or was too slow. Overload of our own bulkhead is not its fault. */
export function isSubgraphFault(error: unknown): boolean {
  return isTimeout(error) || isConnectionError(error) || isSubgraphHttpError(error);
}

/** What a query fetch may retry: the connection broke, or a proxy said the subgraph is briefly away. */
export function isRetryable(error: unknown): boolean {
  return isConnectionError(error) || (isSubgraphHttpError(error) && [502, 503, 504].includes(error.status));
}

/** The contract's error for a fetch that did not get an answer, naming the subgraph and nothing else about it. */
export function toSubgraphError(subgraph: string, error: unknown): GraphQLError {
  if (error instanceof BulkheadRejectedError) {
    return codedError(ErrorCode.SUBGRAPH_OVERLOADED, `The ${subgraph} service is at capacity; try again shortly.`, { subgraph });
  }
  if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
    return codedError(ErrorCode.SUBGRAPH_UNAVAILABLE, `The ${subgraph} service is failing; its circuit is open.`, { subgraph });
  }
  if (isTimeout(error)) {
    return codedError(ErrorCode.SUBGRAPH_TIMEOUT, `The ${subgraph} service did not answer in time.`, { subgraph });
  }
  return codedError(ErrorCode.SUBGRAPH_UNAVAILABLE, `The ${subgraph} service is unavailable.`, { subgraph });
}

import { GraphQLError } from 'graphql';

/**
 * Every code a client may see in `extensions.code`: the contract's list, plus
 * INTERNAL_SERVER_ERROR for a fault of ours whose details stay in our logs.
 */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  STORE_CLOSED: 'STORE_CLOSED',
  ITEM_UNAVAILABLE: 'ITEM_UNAVAILABLE',
  MIN_ORDER_NOT_MET: 'MIN_ORDER_NOT_MET',
  INVALID_STATE_TRANSITION: 'INVALID_STATE_TRANSITION',
  ALREADY_TAKEN: 'ALREADY_TAKEN',
  RATE_LIMITED: 'RATE_LIMITED',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  SUBGRAPH_TIMEOUT: 'SUBGRAPH_TIMEOUT',
  SUBGRAPH_UNAVAILABLE: 'SUBGRAPH_UNAVAILABLE',
  SUBGRAPH_OVERLOADED: 'SUBGRAPH_OVERLOADED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && KNOWN_CODES.has(value);
}

/** A client-facing error: its message is written for the client and its code is from the contract. */
export function codedError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/** The codes that say a subgraph, not the request, failed; they carry `extensions.subgraph`. */
export const SUBGRAPH_FAILURE_CODES: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.SUBGRAPH_TIMEOUT,
  ErrorCode.SUBGRAPH_UNAVAILABLE,
  ErrorCode.SUBGRAPH_OVERLOADED,
]);

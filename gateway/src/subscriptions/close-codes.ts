/**
 * How the gateway ends a subscription connection, and what the client should do about it.
 * graphql-ws's client retries on every code but its fatal ones (4401 among them), with backoff.
 */
export const CloseCode = {
  /** connection_init carried no valid bearer token, or the token expired since. Fatal for graphql-ws: a new token is needed, not a retry. */
  unauthenticated: 4401,
  /** The principal already holds as many connections to this replica as allowed; retried with backoff. */
  tooManyConnections: 4290,
  /** The client read so slowly that its buffer filled; reconnecting with the last stream id resumes where it left. */
  slowConsumer: 4900,
  /** The replica's event resolutions fell a buffer behind (its subgraphs too slow for the event rate): reconnect, resuming, perhaps elsewhere. */
  overloaded: 1013,
  /** The replica is shutting down (graphql-ws's own dispose sends it): reconnect, to another replica. */
  goingAway: 1001,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Close reasons are at most 123 bytes on the wire; ours lead with the contract code a client can branch on. */
export function closeReason(code: string, message: string): string {
  const reason = `${code}: ${message}`;
  return Buffer.byteLength(reason) <= 123 ? reason : `${reason.slice(0, 118)}…`;
}

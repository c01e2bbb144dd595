import type { Principal } from '@ordergraph/common';

/** Per request: who is asking, and the header that proves it, for the subgraphs. */
export interface GatewayContext {
  readonly principal: Principal | null;
  readonly authorization: string | undefined;
  /** Aborts when the request's deadline passes; every subgraph fetch of the request ends by then. */
  readonly deadline: AbortSignal;
  /** Stops the deadline's timer once the response is on its way (plugins/request-deadline.ts). */
  readonly endDeadline?: () => void;
}

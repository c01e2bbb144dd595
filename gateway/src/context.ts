import type { Principal } from '@ordergraph/common';

/** Per request: who is asking, and the header that proves it, for the subgraphs. */
export interface GatewayContext {
  readonly principal: Principal | null;
  readonly authorization: string | undefined;
}

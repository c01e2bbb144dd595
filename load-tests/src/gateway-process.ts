/**
 * Child process of the gateway benchmark: OUR gateway, started as gateway/src/index.ts starts
 * it (config from the environment: SUBGRAPH_<NAME>_URL, SUPERGRAPH_PATH, PORT, …), alone in
 * its process so that process.cpuUsage() is the gateway's CPU time. Reports `{ url }`.
 */
import { createLogger } from '@ordergraph/common';
import { startGateway } from '@ordergraph/gateway';
import { readGatewayConfig } from '@ordergraph/gateway/config';
import { runAsChild } from './child-process.js';

export interface GatewayReady {
  /** The GraphQL endpoint. */
  readonly url: string;
}

await runAsChild<GatewayReady>(async () => {
  const gateway = await startGateway(readGatewayConfig(process.env), createLogger('gateway'));
  return { ready: { url: gateway.url }, close: () => gateway.close(), endConnections: () => gateway.server.closeAllConnections() };
});

import { GraphQLClient } from './graphql-client.js';
import { SUBGRAPH_NAMES, type SharedConfig, type SubgraphName } from './config.js';

/** Clients for subgraph-to-subgraph calls; the same addresses the gateway uses, so a proxy in between sees both. */
export type Peers = Readonly<Record<SubgraphName, GraphQLClient>>;

/** Keep-alive sockets per peer: internal calls are few (placing an order, a delivery step). */
const PEER_CONNECTIONS = 16;

export function createPeers(config: Pick<SharedConfig, 'subgraphUrls' | 'peerTimeoutMs'>, resolveUrl?: (name: SubgraphName) => string): Peers {
  const entries = SUBGRAPH_NAMES.map((name) => [
    name,
    new GraphQLClient({
      name,
      url: resolveUrl ? () => resolveUrl(name) : config.subgraphUrls[name],
      timeoutMs: config.peerTimeoutMs,
      connections: PEER_CONNECTIONS,
    }),
  ]);
  return Object.freeze(Object.fromEntries(entries)) as Peers;
}

export async function closePeers(peers: Peers): Promise<void> {
  await Promise.all(Object.values(peers).map((client) => client.close()));
}

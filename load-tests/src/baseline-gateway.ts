/**
 * Child process of the gateway benchmark: a STOCK @apollo/gateway, the baseline ours is
 * measured against. Apollo's defaults everywhere (its RemoteGraphQLDataSource and HTTP client,
 * startStandaloneServer), except what serving our subgraphs needs: each subgraph at its
 * SUBGRAPH_<NAME>_URL, and the caller's Authorization header passed on (subgraphs authorize).
 * Reads SUPERGRAPH_PATH, HOST and PORT (0: any free port). Reports `{ url }`.
 *   node --import tsx load-tests/src/baseline-gateway.ts   (prints the URL when run by hand)
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { subgraphUrlVariable } from '@ordergraph/gateway/config';
import { runAsChild } from './child-process.js';
import type { GatewayReady } from './gateway-process.js';

interface BaselineContext {
  readonly authorization?: string;
}

const DEFAULT_SUPERGRAPH_PATH = new URL('../../schema/supergraph.graphql', import.meta.url);

await runAsChild<GatewayReady>(async () => {
  const env = process.env;
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(env['SUPERGRAPH_PATH'] ?? DEFAULT_SUPERGRAPH_PATH, 'utf8'),
    buildService: ({ name, url }) =>
      new RemoteGraphQLDataSource<BaselineContext>({
        url: env[subgraphUrlVariable(name)] ?? url,
        willSendRequest({ request, context }) {
          if (context.authorization) request.http?.headers.set('authorization', context.authorization);
        },
      }),
  });
  // Signals are runAsChild's to handle: with Apollo's handler too, two stop() calls would race,
  // and in Apollo Server 5.5 the second never returns. Nothing about serving changes.
  const server = new ApolloServer<BaselineContext>({ gateway, stopOnTerminationSignals: false });
  const { url } = await startStandaloneServer(server, {
    listen: { host: env['HOST'] ?? '127.0.0.1', port: Number(env['PORT'] ?? 0) },
    context: async ({ req }) => (req.headers.authorization ? { authorization: req.headers.authorization } : {}),
  });
  // Apollo's drain (in startStandaloneServer) ends connections still busy after its own 10 s grace.
  return { ready: { url }, close: () => server.stop() };
});

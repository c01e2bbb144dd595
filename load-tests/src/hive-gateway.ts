/**
 * Child process of the gateway benchmark: Hive Gateway's runtime (@graphql-hive/gateway-runtime,
 * the Node peer of Apollo Router), a second baseline. Its defaults, except what serving our
 * subgraphs needs: each subgraph at its SUBGRAPH_<NAME>_URL and the caller's Authorization
 * header passed on. Reads SUPERGRAPH_PATH, HOST and PORT (0: any free port). Reports `{ url }`.
 * HIVE_UNMASK=1 shows its errors' own messages instead of its masked "Unexpected error.".
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Supergraph } from '@apollo/federation-internals';
import { subgraphUrlVariable } from '@ordergraph/gateway/config';
import { runAsChild } from './child-process.js';
import type { GatewayReady } from './gateway-process.js';

const DEFAULT_SUPERGRAPH_PATH = new URL('../../schema/supergraph.graphql', import.meta.url);

await runAsChild<GatewayReady>(async () => {
  const env = process.env;
  // Hive's logger knows no `silent` (the level the benchmark gives every gateway).
  if (env['LOG_LEVEL'] === 'silent') env['LOG_LEVEL'] = 'error';
  const { createGatewayRuntime } = await import('@graphql-hive/gateway-runtime');
  const supergraph = readFileSync(env['SUPERGRAPH_PATH'] ?? DEFAULT_SUPERGRAPH_PATH, 'utf8');
  const names = Supergraph.build(supergraph).subgraphsMetadata().map(({ name }) => name);
  const gateway = createGatewayRuntime({
    supergraph,
    transportEntries: Object.fromEntries(names.flatMap((name) => {
      const location = env[subgraphUrlVariable(name)];
      return location ? [[name, { location }]] : [];
    })),
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }),
    },
    logging: false,
    landingPage: false,
    graphiql: false,
    maskedErrors: process.env['HIVE_UNMASK'] ? false : undefined,
  });
  const server = createServer(gateway);
  await new Promise<void>((resolve) => server.listen(Number(env['PORT'] ?? 0), env['HOST'] ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ready: { url: `http://${env['HOST'] ?? '127.0.0.1'}:${port}/graphql` },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.dispose();
    },
    endConnections: () => server.closeAllConnections(),
  };
});

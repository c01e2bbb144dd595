/**
 * Child process of the gateway benchmark: the five subgraphs on the real MariaDB and Redis
 * (startTestSystem, seeded with TEST_WORLD), apart from the gateways and the load generator
 * so that their CPU time counts against neither. Reports `{ urls: { store: …, … } }`.
 * The test system's own gateway starts too and stays idle: the benchmark does not use it.
 */
import { SUBGRAPH_NAMES } from '@ordergraph/common';
import { startTestSystem } from '@ordergraph/testkit';
import { runAsChild } from './child-process.js';

export interface SubgraphsReady {
  /** Subgraph name → its GraphQL endpoint. */
  readonly urls: Readonly<Record<string, string>>;
}

// As under the tests: the subgraphs' Apollo Servers then leave SIGINT and SIGTERM to
// runAsChild, rather than each stopping itself and raising the signal again.
process.env['NODE_ENV'] = 'test';

await runAsChild<SubgraphsReady>(async () => {
  const system = await startTestSystem({
    // Production's pool size, not the tests' 5: at 16 concurrent MyOrders the order subgraph
    // would otherwise queue on MySQL connections, and both gateways would measure that queue.
    env: { MYSQL_POOL_SIZE: '10' },
  });
  const urls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `${system.subgraphs[name].server.origin}/graphql`]));
  return {
    ready: { urls },
    close: () => system.close(),
    // Closed mid-load, a subgraph would wait up to its 65 s keep-alive for the sockets its peers
    // (in this process, closed only after the servers) had busy.
    endConnections: () => {
      for (const name of SUBGRAPH_NAMES) system.subgraphs[name].server.server.closeAllConnections();
    },
  };
});

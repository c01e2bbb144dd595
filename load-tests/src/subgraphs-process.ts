/**
 * Child process of the gateway benchmark: the five subgraphs on the real MariaDB and Redis
 * (startTestSystem, seeded with TEST_WORLD), apart from the gateways and the load generator
 * so that their CPU time counts against neither. Reports `{ urls: { store: …, … } }`.
 * The test system's own gateway starts too and stays idle: the benchmark does not use it.
 *
 * BENCH_SUBGRAPHS=separate: each subgraph then runs in a process of its own, started as
 * docker-compose starts it (`node --import tsx subgraphs/<name>/src/index.ts`) on the databases
 * this process seeded; this process's own subgraphs stay idle, and the CPU time it reports is
 * its own plus theirs (from /proc).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SUBGRAPH_NAMES, type SubgraphName } from '@ordergraph/common';
import { subgraphUrlVariable } from '@ordergraph/gateway/config';
import { freePort, startTestSystem, TEST_JWT_SECRET, TEST_MYSQL_URL, TEST_REDIS_URL, waitUntilHealthy, type TestSystem } from '@ordergraph/testkit';
import { runAsChild, TSX_LOADER } from './child-process.js';

export interface SubgraphsReady {
  /** Subgraph name → its GraphQL endpoint. */
  readonly urls: Readonly<Record<string, string>>;
}

// As under the tests: the subgraphs' Apollo Servers then leave SIGINT and SIGTERM to
// runAsChild, rather than each stopping itself and raising the signal again.
process.env['NODE_ENV'] = 'test';

/** Production's pool size, not the tests' 5: at 16 concurrent MyOrders the order subgraph would otherwise queue on MySQL connections. */
const POOL_SIZE = '10';
const entry = (name: SubgraphName) => fileURLToPath(new URL(`../../subgraphs/${name}/src/index.ts`, import.meta.url));
/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these. */
const CLOCK_TICKS_PER_S = 100;

await runAsChild<SubgraphsReady>(async () => {
  const system = await startTestSystem({ env: { MYSQL_POOL_SIZE: POOL_SIZE } });
  const inProcess = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `${system.subgraphs[name].server.origin}/graphql`]));
  const separate = process.env['BENCH_SUBGRAPHS'] === 'separate' ? await startSeparate(system) : null;
  return {
    ready: { urls: separate?.urls ?? inProcess },
    close: async () => {
      await separate?.close();
      await system.close();
    },
    // Closed mid-load, a subgraph would wait up to its 65 s keep-alive for the sockets its peers
    // (in this process, closed only after the servers) had busy.
    endConnections: () => {
      for (const name of SUBGRAPH_NAMES) system.subgraphs[name].server.server.closeAllConnections();
    },
    cpuUsage: () => {
      const own = process.cpuUsage();
      if (!separate) return own;
      const childrenUs = separate.children.reduce((sum, child) => sum + cpuMicrosOf(child), 0);
      return { user: own.user + childrenUs, system: own.system };
    },
  };
});

/** One process per subgraph on the seeded databases, each reaching its peers' processes. */
async function startSeparate(system: TestSystem) {
  const ports = Object.fromEntries(await Promise.all(SUBGRAPH_NAMES.map(async (name) => [name, await freePort()] as const))) as Record<SubgraphName, number>;
  const urls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `http://127.0.0.1:${ports[name]}/graphql`]));
  const children: ChildProcess[] = SUBGRAPH_NAMES.map((name) =>
    spawn(process.execPath, ['--import', TSX_LOADER, entry(name)], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'error',
        HOST: '127.0.0.1',
        PORT: String(ports[name]),
        JWT_SECRET: TEST_JWT_SECRET,
        MYSQL_URL: TEST_MYSQL_URL,
        MYSQL_DATABASE_PREFIX: system.prefix,
        MYSQL_POOL_SIZE: POOL_SIZE,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: system.prefix,
        SEED_DEMO_DATA: 'false',
        ...Object.fromEntries(SUBGRAPH_NAMES.map((peer) => [subgraphUrlVariable(peer), urls[peer]])),
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    }),
  );
  await Promise.all(SUBGRAPH_NAMES.map((name, index) => waitUntilHealthy(`http://127.0.0.1:${ports[name]}`, `the ${name} subgraph process`, children[index]!, 60_000)));
  return {
    urls,
    children,
    close: () => Promise.all(children.map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }))).then(() => undefined),
  };
}

/** User + system CPU time of a live process, in microseconds (0 once it has gone). */
function cpuMicrosOf(child: ChildProcess): number {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // After "pid (comm) ", utime and stime are the 12th and 13th fields.
    return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S) * 1_000_000;
  } catch {
    return 0;
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBGRAPH_NAMES } from '@ordergraph/common';
import { subgraphUrlVariable } from '@ordergraph/gateway/config';
import {
  connectSubscriptions, contractOperation, customer, freePort, graphql, merchant, openStore, placeOrderAt, startTestSystem, TEST_REDIS_URL, waitUntilHealthy,
  type SubscriptionClient, type TestSystem,
} from '@ordergraph/testkit';

/**
 * Two gateway processes, started as users start one (node --import tsx gateway/src/index.ts),
 * in front of the same subgraphs and Redis: any replica serves any subscriber, and a replica
 * that shuts down sends its subscribers elsewhere without losing their events.
 */

const STORE_ORDER_EVENTS = contractOperation('StoreOrderEvents');
const ACCEPT_ORDER = contractOperation('AcceptOrder');
const STORE = openStore(3);
const MERCHANT = merchant(`m${STORE.index}`, STORE.id);
const OWNER = customer('u11');
const GATEWAY_ENTRY = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

interface Replica {
  readonly url: string;
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
}

async function startReplica(system: TestSystem): Promise<Replica> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', TSX, GATEWAY_ENTRY], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: system.prefix,
      ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [subgraphUrlVariable(name), `${system.subgraphs[name].server.origin}/graphql`])),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitUntilHealthy(`http://127.0.0.1:${port}`, `gateway replica on ${port}`, child);
  return { url: `http://127.0.0.1:${port}/graphql`, process: child, exited };
}

let system: TestSystem;
let replicas: Replica[] = [];
const clients: SubscriptionClient[] = [];
beforeAll(async () => {
  system = await startTestSystem({ env: { SUBGRAPH_TIMEOUT_MS: '5000', REQUEST_DEADLINE_MS: '10000' } });
  replicas = await Promise.all([startReplica(system), startReplica(system)]);
}, 90_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const replica of replicas) if (replica.process.exitCode === null) replica.process.kill('SIGTERM');
  await Promise.all(replicas.map((r) => r.exited));
  await system?.close();
});

async function connect(url: string): Promise<SubscriptionClient> {
  const client = await connectSubscriptions(url, MERCHANT);
  clients.push(client);
  return client;
}

describe('two gateway replicas', () => {
  it('deliver one event to a subscriber on each', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const onA = (await connect(a.url)).subscribe(STORE_ORDER_EVENTS, { storeId: STORE.id });
    const onB = (await connect(b.url)).subscribe(STORE_ORDER_EVENTS, { storeId: STORE.id });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const orderId = await placeOrderAt(system.url, STORE, OWNER);
    const [[fromA], [fromB]] = await Promise.all([onA.waitFor(1), onB.waitFor(1)]);
    for (const received of [fromA!, fromB!]) {
      expect(received.result.data!['storeOrderEvents']).toMatchObject({ type: 'PLACED', order: { id: orderId, user: { id: 'u11' } } });
    }
    expect(fromA!.result.extensions!.streamId).toBe(fromB!.result.extensions!.streamId);
  });

  it('close their connections with 1001 on SIGTERM, and the subscriber resumes on the other replica without a gap', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const onA = await connect(a.url);
    const board = onA.subscribe(STORE_ORDER_EVENTS, { storeId: STORE.id });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const orderId = await placeOrderAt(system.url, STORE, OWNER);
    const [placed] = await board.waitFor(1);

    a.process.kill('SIGTERM');
    expect(await onA.closed).toMatchObject({ code: 1001 });
    expect(await a.exited).toBe(0);

    const accepted = await graphql(system.url, ACCEPT_ORDER, { id: orderId }, { principal: MERCHANT });
    expect(accepted.errors).toBeUndefined();
    const resumed = (await connect(b.url)).subscribe(STORE_ORDER_EVENTS, { storeId: STORE.id }, { resumeAfter: placed!.result.extensions!.streamId });
    const [missed] = await resumed.waitFor(1);
    expect(missed!.result.data!['storeOrderEvents']).toMatchObject({ type: 'ACCEPTED', order: { id: orderId, status: 'ACCEPTED' } });
  });
});

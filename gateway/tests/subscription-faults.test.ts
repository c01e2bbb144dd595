import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createLogger, openRedis, RedisEventStream, redisReady, SUBGRAPH_NAMES, type RiderMovedEvent } from '@ordergraph/common';
import { startGateway } from '@ordergraph/gateway';
import { readGatewayConfig } from '@ordergraph/gateway/config';
import {
  connectSubscriptions, contractOperation, customer, graphql, merchant, openStore, placeOrderAt, startTestSystem, TEST_REDIS_URL, tokenFor,
  type SubscriptionClient, type TestSystem,
} from '@ordergraph/testkit';

/** What a subscriber gets when a subgraph fails, when it stops reading, and when the gateway goes away. */

const STORE_ORDER_EVENTS = contractOperation('StoreOrderEvents');
const ACCEPT_ORDER = contractOperation('AcceptOrder');
const STORE = openStore(4);
const MERCHANT = merchant(`m${STORE.index}`, STORE.id);
const OWNER = customer('u13');
const BUFFER_EVENTS = 64;
const KEEPALIVE_MS = 300;

let system: TestSystem;
const clients: SubscriptionClient[] = [];
beforeAll(async () => {
  system = await startTestSystem({
    proxied: ['menu'],
    env: {
      SUBGRAPH_TIMEOUT_MS: '5000', REQUEST_DEADLINE_MS: '10000', SUBGRAPH_RETRIES: '0',
      SUBSCRIPTION_BUFFER_EVENTS: String(BUFFER_EVENTS),
    },
  });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await system?.close();
});

async function metric(name: string, gatewayUrl = system.url): Promise<number> {
  const text = await (await fetch(gatewayUrl.replace('/graphql', '/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('subscriptions under faults', () => {
  it('degrade an event as StoreOrders degrades when the menu subgraph is down: item names null, SUBGRAPH_UNAVAILABLE naming menu', async () => {
    const client = await connectSubscriptions(system.url, MERCHANT);
    clients.push(client);
    const board = client.subscribe(STORE_ORDER_EVENTS, { storeId: STORE.id });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const orderId = await placeOrderAt(system.url, STORE, OWNER);
    await board.waitFor(1);

    system.proxies.menu!.set({ kind: 'refuse' });
    try {
      const accepted = await graphql(system.url, ACCEPT_ORDER, { id: orderId }, { principal: MERCHANT });
      expect(accepted.errors).toBeUndefined();
      const [, degraded] = await board.waitFor(2);
      const result = degraded!.result;
      expect(result.data!['storeOrderEvents']).toMatchObject({
        type: 'ACCEPTED',
        order: { id: orderId, status: 'ACCEPTED', user: { id: 'u13' }, items: [{ quantity: STORE.cart[0]!.quantity, menuItem: { id: STORE.cart[0]!.menuItemId, name: null } }] },
      });
      expect(result.errors?.map((e) => [e.extensions?.['code'], e.extensions?.['subgraph']])).toEqual([['SUBGRAPH_UNAVAILABLE', 'menu']]);
    } finally {
      system.proxies.menu!.set({ kind: 'pass' });
    }
  });

  it('cuts off a client that stops reading once more events wait than its buffer holds, with 4900 SLOW_CONSUMER, and ends its subscription', async () => {
    const orderId = await placeOrderAt(system.url, STORE, OWNER);
    const socket = new WebSocket(system.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const messages: string[] = [];
    socket.on('message', (data) => messages.push(String(data)));
    const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${await tokenFor(OWNER)}` } }));
    while (!messages.some((m) => m.includes('connection_ack'))) await new Promise((resolve) => setTimeout(resolve, 20));
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription ($id: ID!) { orderUpdated(orderId: $id) { type at } }', variables: { id: orderId } } }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The client stops reading: the kernel's buffers fill, then the gateway's sends stall, then its buffer fills.
    (socket as unknown as { _socket: import('node:net').Socket })._socket.pause();

    const redis = openRedis(TEST_REDIS_URL, system.prefix)!;
    await redisReady(redis);
    const stream = new RedisEventStream(redis);
    const before = await metric('ordergraph_subscription_connections_closed_total{reason="slow_consumer"}');
    try {
      // Batches smaller than the buffer, as fast as the gateway resolves them: only the client's not reading can fill it.
      // Before the keep-alive (12 s by default) drops the client for not answering pings either.
      const deadline = Date.now() + 20_000;
      let published = 0;
      while ((await metric('ordergraph_subscription_connections_closed_total{reason="slow_consumer"}')) === before) {
        if (Date.now() > deadline) throw new Error(`the gateway never cut the slow client off (${published} events published)`);
        for (let batch = 0; batch < 50; batch++) {
          const moves: RiderMovedEvent[] = Array.from({ length: BUFFER_EVENTS / 2 }, () => ({
            eventId: randomUUID(), type: 'RIDER_MOVED', orderId, storeId: STORE.id, userId: 'u13', riderId: 'r1', atMs: Date.now(), lat: 31.23, lng: 121.47,
          }));
          await stream.publish(moves);
          published += moves.length;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
      expect(await metric('ordergraph_subscription_connections_closed_total{reason="gateway_behind"}')).toBe(0);
    } finally {
      redis.disconnect();
    }
    expect(await metric('ordergraph_subscriptions{graphql_field_name="orderUpdated"}')).toBe(0);
    (socket as unknown as { _socket: import('node:net').Socket })._socket.resume();
    expect(await closed).toMatchObject({ code: 4900, reason: expect.stringMatching(/^SLOW_CONSUMER/) });
  }, 90_000);

  it('pings every keep-alive interval, and drops a client that stops answering', async () => {
    // A gateway of its own with a short interval, in front of the same subgraphs.
    const gateway = await startGateway(
      readGatewayConfig({
        NODE_ENV: 'test', PORT: '0', SUBSCRIPTION_KEEPALIVE_MS: String(KEEPALIVE_MS),
        ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`SUBGRAPH_${name.toUpperCase()}_URL`, `${system.subgraphs[name].server.origin}/graphql`])),
      }),
      createLogger('gateway', 'silent'),
    );
    const metricOf = async (name: string) => metric(name, gateway.url);
    try {
      const socket = new WebSocket(gateway.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      let pings = 0;
      socket.on('ping', () => pings++);
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${await tokenFor(OWNER)}` } }));
      await new Promise((resolve) => setTimeout(resolve, KEEPALIVE_MS * 3.5));
      expect(pings).toBeGreaterThanOrEqual(2);
      expect(await metricOf('ordergraph_subscription_connections')).toBe(1);
      // Stops reading: no pong goes back, so the gateway terminates the socket after one more interval.
      (socket as unknown as { _socket: import('node:net').Socket })._socket.pause();
      await vi.waitFor(async () => expect(await metricOf('ordergraph_subscription_connections')).toBe(0), { timeout: KEEPALIVE_MS * 10, interval: 50 });
      (socket as unknown as { _socket: import('node:net').Socket })._socket.resume();
      expect(await closed).toBe(1006);
    } finally {
      await gateway.close();
    }
  });

  it('closes every connection with 1001 Going Away when the gateway shuts down', async () => {
    const client = await connectSubscriptions(system.url, MERCHANT);
    client.subscribe(STORE_ORDER_EVENTS, { storeId: STORE.id });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await system.gateway.close();
    expect(await client.closed).toMatchObject({ code: 1001 });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contractOperation, customer, errorCodes, graphql, merchant, startTestSystem, TEST_WORLD, type TestSystem,
} from '@ordergraph/testkit';
import { World } from '@ordergraph/common';

/**
 * One slow or dead subgraph costs only the fields it owns: real subgraphs, a real TCP fault
 * proxy between the gateway and each of them, real HTTP.
 */
const MENU_TIMEOUT_MS = 300;
const world = new World(TEST_WORLD);
const u7Orders = [...world.orders()].filter((o) => o.userId === 'u7');
const withRider = u7Orders.find((o) => o.delivery !== null)!;

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({
    proxied: ['store', 'menu', 'order', 'rider'],
    env: {
      SUBGRAPH_MENU_TIMEOUT_MS: String(MENU_TIMEOUT_MS),
      // A small bulkhead on store, to see it refuse.
      SUBGRAPH_STORE_MAX_CONCURRENT: '2',
      SUBGRAPH_STORE_MAX_QUEUED: '2',
      // A quick breaker on rider, to see it open and close within a test.
      SUBGRAPH_RIDER_BREAKER_WINDOW_MS: '2000',
      SUBGRAPH_RIDER_BREAKER_MIN_RPS: '2',
      SUBGRAPH_RIDER_BREAKER_HALF_OPEN_AFTER_MS: '400',
    },
  });
  // Warm the whole path once, so that timings below measure the faults, not a cold start.
  await graphql(system.url, contractOperation('MyOrders'), { first: 10 }, { principal: customer('u7') });
});
afterAll(async () => {
  await system?.close();
});

const proxy = (name: 'store' | 'menu' | 'order' | 'rider') => system.proxies[name]!;

describe('a subgraph that fails degrades the order view instead of failing it', () => {
  // Wall time in a process that also runs the five subgraphs, beside another test file on two
  // cores: one stall of a few hundred ms (seen once in six full runs) fails it by itself, so a
  // second try decides. A gateway that waits past its timeout fails both.
  it('menu hangs: MyOrders answers within the menu timeout plus a small margin, every order served, item names null, one SUBGRAPH_TIMEOUT naming menu', { retry: 1 }, async () => {
    await proxy('menu').set({ kind: 'hang' });
    try {
      const started = performance.now();
      const result = await graphql(system.url, contractOperation('MyOrders'), { first: 10 }, { principal: customer('u7') });
      const elapsedMs = performance.now() - started;

      expect(elapsedMs).toBeLessThan(MENU_TIMEOUT_MS + 250);
      const edges = (result.data as any).me.orders.edges as any[];
      expect(edges.map((e) => e.node.id)).toEqual(u7Orders.slice(-10).reverse().map((o) => o.id));
      for (const { node } of edges) {
        expect(node.store.name).toEqual(expect.any(String));
        for (const item of node.items) expect(item.menuItem).toEqual({ id: expect.any(String), name: null });
      }
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0]!.extensions).toEqual({ code: 'SUBGRAPH_TIMEOUT', subgraph: 'menu' });
    } finally {
      await proxy('menu').set({ kind: 'pass' });
    }
  });

  it('rider refuses connections: OrderDetail serves everything but delivery', async () => {
    await proxy('rider').set({ kind: 'refuse' });
    try {
      const result = await graphql(system.url, contractOperation('OrderDetail'), { id: withRider.id }, { principal: customer('u7') });
      const order = (result.data as any).order;
      expect(order).toMatchObject({ id: withRider.id, status: withRider.status, user: { id: 'u7' }, store: { id: withRider.storeId } });
      expect(order.items.length).toBe(withRider.items.length);
      expect(order.items.every((i: any) => typeof i.menuItem.name === 'string')).toBe(true);
      expect(order.delivery).toBeNull();
      expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'rider' }]);
    } finally {
      await proxy('rider').set({ kind: 'pass' });
    }
  });

  it('a failing order subgraph fails the order view with the same codes', async () => {
    await proxy('order').set({ kind: 'status', status: 503 });
    try {
      const result = await graphql(system.url, contractOperation('OrderDetail'), { id: withRider.id }, { principal: customer('u7') });
      expect(result.data?.order ?? null).toBeNull();
      expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'order' }]);
    } finally {
      await proxy('order').set({ kind: 'pass' });
    }
  });
});

describe('the bulkhead', () => {
  it('never lets more than its limit reach the subgraph and rejects the excess at once', async () => {
    // Slow, not dead: every request that gets a slot completes, so the proxy sees each answer before the slot frees.
    await proxy('store').set({ kind: 'latency', latencyMs: 300 });
    proxy('store').resetStats();
    try {
      // Ten different queries (no two alike, so none is joined to another in flight).
      const requests = Array.from({ length: 10 }, (_, i) => {
        const started = performance.now();
        return graphql(system.url, contractOperation('NearbyStores'), { lat: 31.2 + i / 1000, lng: 121.47 }).then((result) => ({
          result,
          elapsedMs: performance.now() - started,
        }));
      });
      const outcomes = await Promise.all(requests);
      const codes = outcomes.map(({ result }) => errorCodes(result)[0]);
      const rejected = outcomes.filter((_, i) => codes[i] === 'SUBGRAPH_OVERLOADED');

      expect(proxy('store').stats.maxInFlight).toBeLessThanOrEqual(2);
      // 2 in flight + 2 queued; the other 6 are refused without waiting for anything.
      expect(rejected).toHaveLength(6);
      for (const { elapsedMs, result } of rejected) {
        expect(elapsedMs).toBeLessThan(200);
        expect(result.errors![0]!.extensions).toEqual({ code: 'SUBGRAPH_OVERLOADED', subgraph: 'store' });
      }
      // The two in flight and the two queued are served.
      expect(outcomes.filter(({ result }) => result.errors === undefined)).toHaveLength(4);
    } finally {
      await proxy('store').set({ kind: 'pass' });
    }
  });
});

describe('the circuit breaker', () => {
  it('opens after failures, answers SUBGRAPH_UNAVAILABLE without calling the subgraph, then closes by itself once it recovers', async () => {
    const detail = () => graphql(system.url, contractOperation('OrderDetail'), { id: withRider.id }, { principal: customer('u7') });
    const source = system.gateway.sources.get('rider')!;
    await proxy('rider').set({ kind: 'status', status: 500 });
    try {
      for (let i = 0; i < 8 && source.policy.breakerState !== 'open'; i++) await detail();
      expect(source.policy.breakerState).toBe('open');

      proxy('rider').resetStats();
      const whileOpen = await detail();
      expect((whileOpen.data as any).order.delivery).toBeNull();
      expect(whileOpen.errors?.map((e) => e.extensions)).toEqual([{ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'rider' }]);
      expect(proxy('rider').stats.requests).toBe(0);
    } finally {
      await proxy('rider').set({ kind: 'pass' });
    }

    // Half-open after 400 ms: the next request is the probe, and it succeeds.
    const deadline = Date.now() + 5_000;
    let recovered = await detail();
    while ((recovered.data as any)?.order?.delivery === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      recovered = await detail();
    }
    expect((recovered.data as any).order.delivery.rider.id).toBe(withRider.delivery!.riderId);
    expect(recovered.errors).toBeUndefined();
    expect(source.policy.breakerState).toBe('closed');
    const metrics = await (await fetch(new URL('/metrics', system.url))).text();
    expect(metrics).toMatch(/ordergraph_subgraph_circuit_transitions_total\{subgraph="rider",state="open"\} [1-9]/);
    expect(metrics).toMatch(/ordergraph_subgraph_circuit_state\{subgraph="rider"\} 0/);
  });
});

describe('retries', () => {
  it('retries a query fetch once after a connection reset, and it succeeds', async () => {
    proxy('store').resetStats();
    proxy('store').once({ kind: 'reset' });
    const result = await graphql(system.url, contractOperation('StoreMenu'), { storeId: 's3' });
    expect(result.errors).toBeUndefined();
    expect((result.data as any).store).toMatchObject({ id: 's3', name: world.store(3).name });
    expect(proxy('store').stats.requests).toBe(2);
  });

  it('never retries a mutation after a connection reset', async () => {
    const placed = [...world.orders()].find((o) => o.status === 'PLACED' && o.storeId === 's3');
    expect(placed).toBeDefined();
    proxy('order').resetStats();
    proxy('order').once({ kind: 'reset' });
    const result = await graphql(system.url, contractOperation('AcceptOrder'), { id: placed!.id }, { principal: merchant('m3', 's3') });
    expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'order' }]);
    expect(proxy('order').stats.requests).toBe(1);
  });
});

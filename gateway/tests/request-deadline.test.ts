import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOperation, customer, graphql, startTestSystem, type TestSystem } from '@ordergraph/testkit';

/**
 * The request's deadline (REQUEST_DEADLINE_MS) ends every fetch of the request by then, however
 * long one attempt may take, on real subgraphs with menu behind a fault proxy.
 */
const DEADLINE_MS = 400;
let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({ proxied: ['menu'], env: { REQUEST_DEADLINE_MS: String(DEADLINE_MS), SUBGRAPH_TIMEOUT_MS: '5000' } });
  await graphql(system.url, contractOperation('MyOrders'), { first: 10 }, { principal: customer('u7') });
});
afterAll(async () => {
  await system?.close();
});

describe('the request deadline', () => {
  it('ends a hanging fetch at the deadline, not at the attempt timeout: menu items null, SUBGRAPH_TIMEOUT naming menu', async () => {
    await system.proxies.menu!.set({ kind: 'hang' });
    try {
      const started = performance.now();
      const result = await graphql<{ me: { orders: { edges: Array<{ node: { items: Array<{ menuItem: { name: string | null } }> } }> } } }>(
        system.url, contractOperation('MyOrders'), { first: 10 }, { principal: customer('u7') });
      const elapsedMs = performance.now() - started;
      expect(elapsedMs).toBeGreaterThanOrEqual(DEADLINE_MS - 20);
      expect(elapsedMs).toBeLessThan(DEADLINE_MS + 600);
      expect(result.data!.me.orders.edges.length).toBeGreaterThan(0);
      for (const { node } of result.data!.me.orders.edges) for (const item of node.items) expect(item.menuItem.name).toBeNull();
      expect(result.errors?.map((error) => error.extensions)).toEqual([{ code: 'SUBGRAPH_TIMEOUT', subgraph: 'menu' }]);
    } finally {
      await system.proxies.menu!.set({ kind: 'pass' });
    }
  });

  it('gives each request its own deadline: requests after a timed-out one are served in full', async () => {
    for (let i = 0; i < 3; i++) {
      const result = await graphql(system.url, contractOperation('MyOrders'), { first: 10 }, { principal: customer('u7') });
      expect(result.errors).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, DEADLINE_MS / 2));
    }
  });
});

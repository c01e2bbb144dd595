import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOperation, customer, graphql, startTestSystem, type TestSystem } from '@ordergraph/testkit';

/**
 * The gateway's entity cache on real subgraphs (store and menu behind fault proxies that count
 * their requests): repeated order views do not ask store and menu again, a change in the
 * store's database shows within the TTL, a failed fetch is never cached, and the cache is
 * reported on /metrics.
 */

const TTL_MS = 400;
let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({ proxied: ['store', 'menu', 'user'], env: { ENTITY_CACHE_SUBGRAPHS: 'store,menu', ENTITY_CACHE_TTL_MS: String(TTL_MS) } });
});
afterAll(async () => {
  await system?.close();
});

interface MyOrders {
  me: { orders: { edges: Array<{ node: { id: string; store: { id: string; name: string | null }; items: Array<{ menuItem: { name: string | null } | null }> } }> } };
}

const u7 = customer('u7');
const myOrders = () => graphql<MyOrders>(system.url, contractOperation('MyOrders'), { first: 10 }, { principal: u7 });
const requests = () => ({ store: system.proxies.store!.stats.requests, menu: system.proxies.menu!.stats.requests, user: system.proxies.user!.stats.requests });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the entity cache', () => {
  it('answers a repeated order view without asking store and menu again, and alike', async () => {
    await pause(TTL_MS + 50);
    const first = await myOrders();
    expect(first.errors).toBeUndefined();
    const before = requests();
    const second = await myOrders();
    expect(second).toEqual(first);
    const after = requests();
    expect(after.store - before.store).toBe(0);
    expect(after.menu - before.menu).toBe(0);
    // The customer's own data is never cached.
    expect(after.user - before.user).toBeGreaterThan(0);
  });

  it("shows a store's change within the TTL", async () => {
    const first = await myOrders();
    const store = first.data!.me.orders.edges[0]!.node.store;
    const db = system.subgraphs.store.deps.db;
    await db.execute('UPDATE stores SET name = CONCAT(name, ?) WHERE id = ?', [' (renamed)', store.id]);
    try {
      await pause(TTL_MS + 50);
      const later = await myOrders();
      expect(later.data!.me.orders.edges.find(({ node }) => node.store.id === store.id)!.node.store.name).toBe(`${store.name} (renamed)`);
    } finally {
      await db.execute('UPDATE stores SET name = ? WHERE id = ?', [store.name, store.id]);
    }
  });

  it('never caches what a failed fetch left out: once menu is back, its items are asked for again', async () => {
    await pause(TTL_MS + 50);
    await system.proxies.menu!.set({ kind: 'status', status: 503 });
    try {
      const degraded = await myOrders();
      expect(degraded.errors?.some((error) => error.extensions?.['subgraph'] === 'menu')).toBe(true);
    } finally {
      await system.proxies.menu!.set({ kind: 'pass' });
    }
    const recovered = await myOrders();
    expect(recovered.errors).toBeUndefined();
    expect(recovered.data!.me.orders.edges.every(({ node }) => node.items.every((item) => item.menuItem?.name))).toBe(true);
  });

  it('counts its hits and misses by subgraph on /metrics', async () => {
    const metrics = await (await fetch(system.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/ordergraph_cache_reads_total\{cache="entity:store",result="hit"\} [1-9]/);
    expect(metrics).toMatch(/ordergraph_cache_reads_total\{cache="entity:menu",result="miss"\} [1-9]/);
  });
});

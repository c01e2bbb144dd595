import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOperation, customer, graphql, startTestSystem, TEST_WORLD, type TestSystem } from '@ordergraph/testkit';
import { World } from '@ordergraph/common';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.close();
});

const scrape = async (origin: string) => (await fetch(new URL('/metrics', origin))).text();
const sample = (text: string, pattern: RegExp) => {
  const line = text.split('\n').find((l) => pattern.test(l));
  return line ? Number(line.split(' ').at(-1)) : 0;
};

describe('metrics per operation, cache and event consumer', () => {
  it('counts each gateway operation by name in the latency histogram and its errors by contract code', async () => {
    const before = await scrape(system.gateway.origin);
    const count = /^graphql_server_operation_duration_seconds_count\{graphql_operation_name="MyOrders",graphql_operation_type="query"\}/;
    const forbidden = /^ordergraph_operation_errors_total\{graphql_operation_name="OrderDetail",code="FORBIDDEN"\}/;
    const someoneElses = [...new World(TEST_WORLD).orders()].find((o) => o.userId !== 'u7')!;

    await graphql(system.url, contractOperation('MyOrders'), { first: 3 }, { principal: customer('u7') });
    await graphql(system.url, contractOperation('MyOrders'), { first: 3 }, { principal: customer('u8') });
    await graphql(system.url, contractOperation('OrderDetail'), { id: someoneElses.id }, { principal: customer('u7') });

    const after = await scrape(system.gateway.origin);
    expect(sample(after, count) - sample(before, count)).toBe(2);
    expect(sample(after, forbidden) - sample(before, forbidden)).toBe(1);
    // The subgraphs count their own operations: the order subgraph served the order fetches.
    expect(await scrape(system.subgraphs.order.server.origin)).toMatch(/^graphql_server_operation_duration_seconds_count\{graphql_operation_name="MyOrders__order__\d+",graphql_operation_type="query"\} [1-9]/m);
  });

  it('counts profile cache hits and misses, and records the event consumer lag, at the user subgraph', async () => {
    const user = system.subgraphs.user.server.origin;
    await graphql(system.url, contractOperation('Me'), {}, { principal: customer('u3') });
    await graphql(system.url, contractOperation('Me'), {}, { principal: customer('u3') });
    const world = new World(TEST_WORLD);
    const store = world.store(1);
    const item = world.menu(1).find((i) => i.available)!;
    const placed = await graphql(system.url, contractOperation('PlaceOrder'), {
      input: { storeId: store.id, items: [{ menuItemId: item.id, quantity: Math.ceil(store.minOrder / item.price) }], idempotencyKey: 'metrics-1' },
    }, { principal: customer('u3') });
    expect(placed.errors).toBeUndefined();

    const deadline = Date.now() + 5_000;
    let text = await scrape(user);
    while (sample(text, /^ordergraph_event_consumer_lag_seconds_count\{group="user-precomputed"\}/) === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      text = await scrape(user);
    }
    expect(sample(text, /^ordergraph_cache_reads_total\{cache="profile",result="miss"\}/)).toBeGreaterThanOrEqual(1);
    expect(sample(text, /^ordergraph_cache_reads_total\{cache="profile",result="hit"\}/)).toBeGreaterThanOrEqual(1);
    expect(sample(text, /^ordergraph_event_consumer_lag_seconds_count\{group="user-precomputed"\}/)).toBeGreaterThanOrEqual(1);
  });
});

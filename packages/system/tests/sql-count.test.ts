import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBGRAPH_NAMES, World, type SubgraphName, type WorldSize } from '@ordergraph/common';
import { contractOperation, customer, graphql, startTestSystem, type TestSystem } from '@ordergraph/testkit';

/**
 * The aggregated order view costs a fixed number of SQL statements per subgraph, however
 * many orders the page holds: DataLoaders batch every entity lookup of a request into one
 * statement. Counted on the real MariaDB with each subgraph's own statement counter.
 */

/** Few users and many orders, so that one customer has well over 50 orders to page through. */
const WORLD: WorldSize = { users: 20, stores: 20, riders: 10, orders: 2_000 };
/** The most a subgraph may run for one order view: a page, its lines, and the customer's stats. */
const MAX_STATEMENTS_PER_SUBGRAPH = 3;

let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem({ world: WORLD });
});
afterAll(async () => {
  await system?.close();
});

/** The customer with the most orders in the World. */
function busiestCustomer(world: World): { userId: string; orders: number } {
  const counts = new Map<string, number>();
  for (const order of world.orders()) counts.set(order.userId, (counts.get(order.userId) ?? 0) + 1);
  const [userId, orders] = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!;
  return { userId, orders };
}

function statementCounts(): Record<SubgraphName, number> {
  return Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, system.subgraphs[name].deps.db.statementCount])) as Record<SubgraphName, number>;
}

/** The statements each subgraph ran while serving one MyOrders page of `first` orders. */
async function statementsForMyOrders(userId: string, first: number): Promise<Record<SubgraphName, number>> {
  const before = statementCounts();
  const result = await graphql<{ me: { orders: { edges: unknown[] } } }>(
    system.url, contractOperation('MyOrders'), { first }, { principal: customer(userId) },
  );
  const after = statementCounts();
  expect(result.errors).toBeUndefined();
  expect(result.data?.me.orders.edges).toHaveLength(first);
  return Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, after[name] - before[name]])) as Record<SubgraphName, number>;
}

describe('SQL statements per MyOrders request', () => {
  const busiest = busiestCustomer(new World(WORLD));

  it('are the same for a page of 5 orders and a page of 50, and at most 3 per subgraph', async () => {
    expect(busiest.orders).toBeGreaterThanOrEqual(50);
    // The first read of a customer fills the profile and precomputed caches; measure after it.
    await statementsForMyOrders(busiest.userId, 1);

    const five = await statementsForMyOrders(busiest.userId, 5);
    const fifty = await statementsForMyOrders(busiest.userId, 50);
    console.table({ 'first: 5': five, 'first: 50': fifty });

    expect(fifty).toEqual(five);
    for (const name of SUBGRAPH_NAMES) expect(fifty[name], `${name} subgraph`).toBeLessThanOrEqual(MAX_STATEMENTS_PER_SUBGRAPH);
  });

  it('are the same again for a full page of 100', async () => {
    expect(busiest.orders).toBeGreaterThanOrEqual(100);

    const five = await statementsForMyOrders(busiest.userId, 5);
    const hundred = await statementsForMyOrders(busiest.userId, 100);

    expect(hundred).toEqual(five);
  });
});

describe('SQL statements per Me request', () => {
  it('are none at all while Redis is up: profile and precomputed values come from Redis once the first read filled them', async () => {
    const first = await graphql(system.url, contractOperation('Me'), {}, { principal: customer('u1') });
    expect(first.errors).toBeUndefined();

    const before = statementCounts();
    const result = await graphql(system.url, contractOperation('Me'), {}, { principal: customer('u1') });
    const after = statementCounts();

    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual(first.data);
    for (const name of SUBGRAPH_NAMES) expect(after[name] - before[name], `${name} subgraph`).toBe(0);
  });
});

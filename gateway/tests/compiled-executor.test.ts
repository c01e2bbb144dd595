import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CITY_CENTER, createLogger, SUBGRAPH_NAMES } from '@ordergraph/common';
import { startGateway, type RunningGateway } from '@ordergraph/gateway';
import { readGatewayConfig, subgraphUrlVariable } from '@ordergraph/gateway/config';
import {
  contractOperation, customer, graphql, merchant, openStore, placeOrderAt, rider, startTestSystem, TEST_JWT_SECRET,
  type GraphQLResult, type TestSystem,
} from '@ordergraph/testkit';
import type { Principal } from '@ordergraph/common';

/**
 * The compiled executor against @apollo/gateway's own, side by side on the same subgraphs
 * (menu and rider behind fault proxies): every contract read, the contract's errors, a failing
 * subgraph, and the GraphQL the contract does not use (aliases, fragments, @skip/@include,
 * __typename) answer byte for byte alike.
 */

let system: TestSystem;
let apollo: RunningGateway;
beforeAll(async () => {
  system = await startTestSystem({ proxied: ['menu', 'rider'], env: { SUBGRAPH_TIMEOUT_MS: '2000' } });
  const route = (name: (typeof SUBGRAPH_NAMES)[number]) => system.proxies[name]?.url('/graphql') ?? `${system.subgraphs[name].server.origin}/graphql`;
  const config = readGatewayConfig({
    NODE_ENV: 'test',
    PORT: '0',
    JWT_SECRET: TEST_JWT_SECRET,
    SUBGRAPH_TIMEOUT_MS: '2000',
    GATEWAY_EXECUTOR: 'apollo',
    ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [subgraphUrlVariable(name), route(name)])),
  });
  apollo = await startGateway(config, createLogger('gateway-apollo', 'silent'));
});
afterAll(async () => {
  await apollo?.close();
  await system?.close();
});

async function both(query: string, variables: Record<string, unknown>, principal?: Principal): Promise<[GraphQLResult<unknown>, GraphQLResult<unknown>]> {
  const compiled = await graphql(system.url, query, variables, principal ? { principal } : {});
  const reference = await graphql(apollo.url, query, variables, principal ? { principal } : {});
  return [compiled, reference];
}

/** Errors of parallel fetches come in the order the fetches end, under either executor. */
const inAnyOrder = (result: GraphQLResult<unknown>) => ({ ...result, errors: result.errors?.map((error) => JSON.stringify(error)).sort() });

/** Same status, same body: data, errors (message, path, code, subgraph) and extensions. */
async function expectAlike(query: string, variables: Record<string, unknown>, principal?: Principal): Promise<GraphQLResult<unknown>> {
  const [compiled, reference] = await both(query, variables, principal);
  expect(inAnyOrder(compiled)).toEqual(inAnyOrder(reference));
  return compiled;
}

const u7 = customer('u7');

describe('the contract', () => {
  it('answers every read operation as Apollo does', async () => {
    const myOrders = (await expectAlike(contractOperation('MyOrders'), { first: 10 }, u7)) as GraphQLResult<{ me: { orders: { edges: Array<{ node: { id: string; store: { id: string } } }>; pageInfo: { endCursor: string } } } }>;
    const edges = myOrders.data!.me.orders.edges;
    expect(edges.length).toBeGreaterThan(3);
    await expectAlike(contractOperation('MyOrders'), { first: 2, after: myOrders.data!.me.orders.pageInfo.endCursor }, u7);
    for (const { node } of edges.slice(0, 3)) await expectAlike(contractOperation('OrderDetail'), { id: node.id }, u7);
    const storeId = edges[0]!.node.store.id;
    await expectAlike(contractOperation('StoreOrders'), { storeId }, merchant('m-bench', storeId));
    await expectAlike(contractOperation('StoreOrders'), { storeId, status: ['DELIVERED', 'CANCELLED'], first: 3 }, merchant('m-bench', storeId));
    await expectAlike(contractOperation('StoreMenu'), { storeId });
    await expectAlike(contractOperation('NearbyStores'), { lat: CITY_CENTER.lat, lng: CITY_CENTER.lng, first: 5 }, u7);
    await expectAlike(contractOperation('Me'), {}, u7);

    // Every one of them ran on the compiled executor.
    const metrics = await (await fetch(system.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/ordergraph_gateway_operations_planned_total\{executor="compiled"\} [1-9]/);
    expect(metrics).not.toMatch(/ordergraph_gateway_operations_planned_total\{executor="apollo"\}/);
  });

  it("answers the contract's errors as Apollo does: another's order, no token, a missing order, bad variables", async () => {
    const [{ data }] = await both(contractOperation('MyOrders'), { first: 1 }, u7);
    const id = (data as { me: { orders: { edges: Array<{ node: { id: string } }> } } }).me.orders.edges[0]!.node.id;
    const forbidden = await expectAlike(contractOperation('OrderDetail'), { id }, customer('u8'));
    expect(forbidden.errors?.length).toBeGreaterThan(0);
    await expectAlike(contractOperation('MyOrders'), { first: 10 });
    await expectAlike(contractOperation('OrderDetail'), { id: 'o-does-not-exist' }, u7);
    await expectAlike(contractOperation('MyOrders'), { first: 'ten' }, u7);
    await expectAlike(contractOperation('StoreOrders'), { storeId: 's1' }, merchant('m-other', 's2'));
  });

  it('answers a mutation and its refusals as Apollo does', async () => {
    const store = openStore(2);
    const id = await placeOrderAt(system.url, store, u7);
    // Accepting twice: the first (compiled) succeeds, Apollo's attempt is then refused with the same error as the compiled one's second.
    const accept = contractOperation('AcceptOrder');
    const first = await graphql(system.url, accept, { id }, { principal: merchant('m-bench', store.id) });
    expect(first.errors).toBeUndefined();
    await expectAlike(accept, { id }, merchant('m-bench', store.id));
    await expectAlike(contractOperation('PlaceOrder'), { input: { storeId: store.id, items: [] } }, u7);
    await expectAlike(contractOperation('PickUpOrder'), { orderId: id }, rider('r1'));
  });
});

describe('a failing subgraph', () => {
  it('degrades MyOrders and OrderDetail as Apollo does while menu is down and rider answers 503', async () => {
    await system.proxies.menu!.set({ kind: 'refuse' });
    await system.proxies.rider!.set({ kind: 'status', status: 503 });
    try {
      const result = (await expectAlike(contractOperation('MyOrders'), { first: 10 }, u7)) as GraphQLResult<{ me: { orders: { edges: Array<{ node: { id: string } }> } } }>;
      expect(result.errors?.map((error) => error.extensions?.['subgraph']).sort()).toEqual(['menu', 'rider']);
      await expectAlike(contractOperation('OrderDetail'), { id: result.data!.me.orders.edges[0]!.node.id }, u7);
    } finally {
      await system.proxies.menu!.set({ kind: 'pass' });
      await system.proxies.rider!.set({ kind: 'pass' });
    }
  });
});

describe('GraphQL beyond the contract', () => {
  const query = /* GraphQL */ `
    query Shapes($first: Int = 3, $withStore: Boolean!, $noItems: Boolean = false) {
      kind: __typename
      me {
        __typename
        constructor: id
        ...Person
        orders(first: $first) {
          edges {
            node {
              ... on Order { id status }
              ...OrderParts
              shop: store @include(if: $withStore) { id title: name __typename }
              items @skip(if: $noItems) { quantity menuItem { name } }
            }
          }
        }
      }
    }
    fragment Person on User { name isFirstOrder }
    fragment OrderParts on Order { id fees { payable { amount } } items { menuItem { id } } }
  `;

  it('shapes aliases, fragments, @skip/@include and __typename as Apollo does, for each value of the conditions', async () => {
    const with_ = await expectAlike(query, { withStore: true }, u7);
    expect(JSON.stringify(with_.data)).toContain('"shop"');
    const without = await expectAlike(query, { withStore: false, noItems: true, first: 2 }, u7);
    expect(JSON.stringify(without.data)).not.toMatch(/"shop"|"quantity"/);
  });

  it('leaves introspection to Apollo and answers it the same', async () => {
    const result = await expectAlike('{ __schema { queryType { name } } __type(name: "Order") { name } }', {});
    expect(result.data).toEqual({ __schema: { queryType: { name: 'Query' } }, __type: { name: 'Order' } });
  });
});

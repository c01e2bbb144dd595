import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { QueryPlanner, type PlanNode } from '@apollo/query-planner';
import type { GatewayGraphQLRequestContext, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { parse, type GraphQLError } from 'graphql';
import { EntityCache } from './entity-cache.js';
import { deepMerge, PlanRunner } from './plan-runner.js';

/**
 * The runner on the project's real supergraph and a real plan (Apollo's planner), with each
 * subgraph answered from a table: what it sends, how it merges, where subgraph errors land.
 */
const supergraph = Supergraph.build(readFileSync(new URL('../../../schema/supergraph.graphql', import.meta.url), 'utf8'));
const planner = new QueryPlanner(supergraph);
const document = parse(`query Orders { me { orders(first: 3) { edges { node { id store { id name } } } } } }`);
const plan = planner.buildQueryPlan(operationFromDocument(supergraph.apiSchema(), document)).node as PlanNode;

type Answer = (variables: Record<string, any>) => GatewayGraphQLResponse;

/** A data source answering from `answer`, recording the variables of every request. */
function source(answer: Answer): GraphQLDataSource & { readonly sent: Array<Record<string, any>> } {
  const sent: Array<Record<string, any>> = [];
  return {
    sent,
    async process(options: GraphQLDataSourceProcessOptions) {
      const variables = (options.request.variables ?? {}) as Record<string, any>;
      sent.push(variables);
      return answer(variables);
    },
  };
}

const orders = source(() => ({
  data: { me: { id: 'u1', orders: { edges: ['s1', 's2', 's1'].map((store, i) => ({ node: { __typename: 'Order', id: `o${i}`, store: { __typename: 'Store', id: store } } })) } } },
}));

async function run(store: GraphQLDataSource, runner = new PlanRunner(supergraph.schema.toGraphQLJSSchema())) {
  const merged: Record<string, any> = {};
  const errors: GraphQLError[] = [];
  const requestContext = { request: { variables: {} }, context: {} } as unknown as GatewayGraphQLRequestContext;
  await runner.run(plan, { requestContext, sources: new Map([['order', orders], ['store', store]]), merged, errors, conditionValue: () => false });
  return { merged, errors };
}

const names: Record<string, string> = { s1: 'Noodles', s2: 'Dumplings', s3: 'Buns' };

describe('PlanRunner', () => {
  it('sends each distinct entity once and gives every object that is that entity its answer', async () => {
    const store = source(({ representations }) => ({ data: { _entities: representations.map(({ id }: { id: string }) => ({ name: names[id] })) } }));
    const { merged, errors } = await run(store);
    expect(errors).toEqual([]);
    expect(store.sent[0]!['representations']).toEqual([{ __typename: 'Store', id: 's1' }, { __typename: 'Store', id: 's2' }]);
    expect(merged['me'].orders.edges.map((edge: any) => edge.node.store)).toEqual([
      { __typename: 'Store', id: 's1', name: 'Noodles' },
      { __typename: 'Store', id: 's2', name: 'Dumplings' },
      { __typename: 'Store', id: 's1', name: 'Noodles' },
    ]);
  });

  it("puts an entity error at the client's path of that entity, with the subgraph's code and name", async () => {
    const store = source(() => ({
      data: { _entities: [{ name: 'Noodles' }, null] },
      errors: [{ message: 'Store s2 is closed for good.', path: ['_entities', 1, 'name'], extensions: { code: 'NOT_FOUND' } }],
    }));
    const { errors } = await run(store);
    expect(errors.map((error) => ({ message: error.message, path: error.path, extensions: error.extensions }))).toEqual([
      { message: 'Store s2 is closed for good.', path: ['me', 'orders', 'edges', 1, 'node', 'store', 'name'], extensions: { code: 'NOT_FOUND', serviceName: 'store' } },
    ]);
  });

  it('keeps a failed fetch an error of the response and merges nothing from it', async () => {
    const store = source(() => {
      throw new Error('connection refused');
    });
    const { merged, errors } = await run(store);
    expect(errors.map((error) => error.message)).toEqual(['connection refused']);
    expect(merged['me'].orders.edges[0].node.store).toEqual({ __typename: 'Store', id: 's1' });
  });

  it('with an entity cache: sends only the entities it lacks, and never keeps one its fetch reported an error for', async () => {
    const cache = new EntityCache({ subgraphs: ['store'], ttlMs: 60_000, maxEntries: 100 });
    const runner = new PlanRunner(supergraph.schema.toGraphQLJSSchema(), cache);
    const failing = source(({ representations }) => ({
      data: { _entities: representations.map(({ id }: { id: string }) => (id === 's2' ? null : { name: names[id] })) },
      errors: [{ message: 'no', path: ['_entities', 1], extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
    }));
    await run(failing, runner);

    const store = source(({ representations }) => ({ data: { _entities: representations.map(({ id }: { id: string }) => ({ name: names[id] })) } }));
    const { merged } = await run(store, runner);
    expect(store.sent.map((variables) => variables['representations'])).toEqual([[{ __typename: 'Store', id: 's2' }]]);
    expect(merged['me'].orders.edges.map((edge: any) => edge.node.store.name)).toEqual(['Noodles', 'Dumplings', 'Noodles']);

    const again = source(() => ({ data: { _entities: [] } }));
    await run(again, runner);
    expect(again.sent).toEqual([]);
  });
});

describe('deepMerge', () => {
  it('merges objects field by field and same-length lists element by element, and ignores __proto__', () => {
    const target: Record<string, any> = { a: { x: 1 }, list: [{ id: 1 }, { id: 2 }], keep: 1 };
    deepMerge(target, JSON.parse('{"a":{"y":2},"list":[{"n":"one"},{"n":"two"}],"__proto__":{"polluted":true}}'));
    expect(target).toEqual({ a: { x: 1, y: 2 }, list: [{ id: 1, n: 'one' }, { id: 2, n: 'two' }], keep: 1 });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOperation, customer, graphql, startTestSystem, type TestSystem } from '@ordergraph/testkit';

let system: TestSystem;
beforeAll(async () => { system = await startTestSystem(); });
afterAll(async () => { await system?.close(); });

describe('smoke', () => {
  it('serves MyOrders', async () => {
    const result = await graphql(system.url, contractOperation('MyOrders'), { first: 3 }, { principal: customer('u7') });
    expect(result.errors).toBeUndefined();
    console.log(JSON.stringify(result.data).slice(0, 300));
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contractOperations } from '@ordergraph/testkit';
import { composeSupergraph, planDepth, planOperation, SUPERGRAPH_PATH, subgraphsInPlan } from '../src/index.js';

const committed = readFileSync(SUPERGRAPH_PATH, 'utf8');

describe('the committed supergraph', () => {
  it('composes from the five subgraph SDLs without errors and matches the committed file (run `npm run compose` when this fails)', () => {
    expect(composeSupergraph()).toBe(committed);
  });
});

describe('query plans of the contract operations', () => {
  const operations = [...contractOperations()].filter(([, text]) => !/^\s*subscription\b/m.test(text));

  it('covers every query and mutation of the contract', () => {
    expect(operations.map(([name]) => name).sort()).toEqual(
      ['AcceptDelivery', 'AcceptOrder', 'CancelOrder', 'DeliverOrder', 'MarkOrderReady', 'Me', 'MyOrders', 'NearbyStores',
        'OrderDetail', 'PickUpOrder', 'PlaceOrder', 'StoreMenu', 'StoreOrders', 'UpdateLocation'],
    );
  });

  it.each(operations)('%s plans in at most two sequential fetch levels', (_name, text) => {
    expect(planDepth(planOperation(committed, text).node)).toBeLessThanOrEqual(2);
  });

  it.each(['MyOrders', 'OrderDetail', 'StoreOrders'])('%s fans out to all five subgraphs after one order fetch', (name) => {
    const plan = planOperation(committed, contractOperations().get(name)!);
    expect(planDepth(plan.node)).toBe(2);
    expect([...subgraphsInPlan(plan.node)].sort()).toEqual(['menu', 'order', 'rider', 'store', 'user']);
  });
});

import { describe, expect, it } from 'vitest';
import type { MixPrincipals } from './mix-principals.js';
import { LunchPeakMix, MIX_SHARES } from './mix-workload.js';

const principals: MixPrincipals = {
  customers: [{ id: 'u1', authorization: 'Bearer u1', recentOrderIds: ['o1', 'o2'] }],
  stores: [{ id: 's1', merchantAuthorization: 'Bearer m1', cart: [{ menuItemId: 'i1-1', quantity: 2 }] }],
  riders: [{ id: 'r1', authorization: 'Bearer r1', lat: 31.2, lng: 121.4 }],
};

describe('LunchPeakMix', () => {
  it('sends each kind exactly its share of every 100 requests', () => {
    const mix = new LunchPeakMix(principals);
    const counts = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const { operation } = mix.next();
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
    }
    const share = (kind: string) => 2 * MIX_SHARES.find(([k]) => k === kind)![1];
    for (const kind of ['MyOrders', 'OrderDetail', 'NearbyStores', 'StoreMenu', 'StoreOrders', 'Me', 'PlaceOrder']) {
      expect(counts.get(kind), kind).toBe(share(kind));
    }
    // No order was placed (nothing answered), so every status-change turn became an UpdateLocation.
    expect(counts.get('UpdateLocation')).toBe(share('UpdateLocation') + share('StatusChange'));
    expect(mix.statusTurnsWithoutOrder).toBe(share('StatusChange'));
  });

  it('feeds each order it places to the status changes', () => {
    const mix = new LunchPeakMix(principals);
    mix.request('PlaceOrder').onAnswer?.({ data: { placeOrder: { id: 'o9' } } });
    const step = mix.request('StatusChange');
    expect(step.operation).toBe('AcceptOrder');
    expect(JSON.parse(step.body).variables).toEqual({ id: 'o9' });
    expect(step.authorization).toBe('Bearer m1');
  });

  it('gives every placed order a key of its own', () => {
    const mix = new LunchPeakMix(principals);
    const keys = Array.from({ length: 3 }, () => JSON.parse(mix.request('PlaceOrder').body).variables.input.idempotencyKey);
    expect(new Set(keys).size).toBe(3);
  });
});

import { World, type Principal } from '@ordergraph/common';
import { graphql } from './client.js';
import { contractOperation } from './contract.js';
import { TEST_WORLD } from './system.js';

const PLACE_ORDER = contractOperation('PlaceOrder');
const world = new World(TEST_WORLD);

/** The `n`th open store of the test world (1-based), with a cart that meets its minimum order. */
export function openStore(n = 1): { readonly index: number; readonly id: string; readonly cart: ReadonlyArray<{ menuItemId: string; quantity: number }> } {
  const index = Array.from({ length: TEST_WORLD.stores }, (_, i) => i + 1).filter((i) => !World.isClosed(i))[n - 1];
  if (index === undefined) throw new Error(`the test world has fewer than ${n} open stores`);
  const [item] = world.menu(index).filter((m) => m.available);
  return { index, id: `s${index}`, cart: [{ menuItemId: item!.id, quantity: Math.ceil(world.store(index).minOrder / item!.price) }] };
}

let placed = 0;

/** Places an order through the gateway with the contract's PlaceOrder; throws on any error. */
export async function placeOrderAt(gatewayUrl: string, store: ReturnType<typeof openStore>, by: Principal): Promise<string> {
  const result = await graphql<{ placeOrder: { id: string } }>(
    gatewayUrl,
    PLACE_ORDER,
    { input: { storeId: store.id, items: store.cart, idempotencyKey: `test-${process.pid}-${Date.now()}-${++placed}` } },
    { principal: by },
  );
  if (result.errors || !result.data) throw new Error(`placeOrder failed: ${JSON.stringify(result.errors)}`);
  return result.data.placeOrder.id;
}

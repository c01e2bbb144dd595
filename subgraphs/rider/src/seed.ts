import { batches, type SubgraphDeps, type World, type WorldOrder } from '@ordergraph/common';
import { SEEDED_ETA_MINUTES } from './eta.js';
import { openLocationStore } from './locations/index.js';
import { insertDeliveries, type DeliveryRecord } from './store/deliveries.js';
import { insertRiders } from './store/riders.js';

/** Rows per INSERT (and members per GEOADD): the engines' limits are far above it. */
const SEED_BATCH_ROWS = 2_000;

/**
 * The deliveries of the world's orders that a rider took, then the riders with their starting
 * positions. Riders go last because isEmpty looks at them: a seed that stopped half-way is
 * not mistaken for a finished one.
 */
export async function seedRiders(deps: SubgraphDeps, world: World): Promise<void> {
  const locations = openLocationStore(deps);
  for (const batch of batches(deliveriesOf(world.orders()), SEED_BATCH_ROWS)) await insertDeliveries(deps.db, batch);
  for (const batch of batches(world.riders(), SEED_BATCH_ROWS)) {
    // Rows first: without Redis, positions are columns of these rows.
    await insertRiders(deps.db, batch);
    await locations.setMany(batch.map((r) => ({ riderId: r.id, lat: r.lat, lng: r.lng })));
  }
}

/** Positions too: with Redis they are not in the tables, and would outlive them otherwise. */
export async function clearRiders(deps: SubgraphDeps): Promise<void> {
  await openLocationStore(deps).clear();
  await deps.db.execute('DELETE FROM deliveries');
  await deps.db.execute('DELETE FROM riders');
}

function* deliveriesOf(orders: Iterable<WorldOrder>): Generator<DeliveryRecord> {
  for (const { id, userId, storeId, delivery } of orders) {
    if (!delivery) continue;
    yield {
      orderId: id,
      riderId: delivery.riderId,
      userId,
      storeId,
      status: delivery.status,
      etaMinutes: SEEDED_ETA_MINUTES[delivery.status],
      assignedAtMs: delivery.assignedAtMs,
      pickedUpAtMs: delivery.pickedUpAtMs,
      deliveredAtMs: delivery.deliveredAtMs,
    };
  }
}

import { codedError, ErrorCode, isDuplicateKeyError, requireRole } from '@ordergraph/common';
import type { RiderContext } from './context.js';
import { DELIVERY_LEG_MINUTES, estimateEtaMinutes } from './eta.js';
import type { LatLng } from './locations/index.js';
import { fetchStoreLocation, recordDeliveryStep, type DeliveryStepResult } from './peers.js';
import { advanceDelivery, findDelivery, insertDelivery, type DeliveryRecord, type DeliveryStatus } from './store/deliveries.js';

/**
 * The rider app's three steps. The order subgraph decides whether a step may happen (it owns
 * the order's state and picks the one rider who wins a race); this subgraph records the
 * delivery only after it agreed, so a refused step changes nothing here. Reads here go to the
 * database, not the request's loaders: a write path must see rows written a moment ago.
 */

/** The calling rider takes the order; of many riders racing, the order subgraph lets one through. */
export async function acceptDelivery(ctx: RiderContext, orderId: string): Promise<DeliveryRecord> {
  const riderId = requireRole(ctx.principal, 'rider').sub;
  const [known, existing] = await Promise.all([ctx.loaders.riderById.load(riderId), findDelivery(ctx.db, orderId)]);
  // The order subgraph takes any rider token's word; a rider nobody knows would hold the order for good.
  if (!known) throw codedError(ErrorCode.FORBIDDEN, `There is no rider ${riderId}; only a known rider may take an order.`);
  if (existing) return ownOrTaken(existing, riderId);
  // Read while the order subgraph decides; a missing location only makes the ETA a default.
  const riderLocation = ctx.loaders.locationByRiderId.load(riderId).catch(() => null);
  const step = await recordDeliveryStep(ctx.peers, ctx.authorization, orderId, 'ASSIGNED');
  const etaMinutes = estimateEtaMinutes(await riderLocation, await storeLocationOrNull(ctx, step.storeId));
  return recordNewDelivery(ctx, orderId, riderId, step, 'ASSIGNED', etaMinutes);
}

type LaterStep = Exclude<DeliveryStatus, 'ASSIGNED'>;

/** What each later step needs the delivery to be in, and the minutes left once it is taken. */
const LATER_STEPS: Readonly<Record<LaterStep, { from: DeliveryStatus; etaMinutes: number; mutation: string }>> = {
  PICKED_UP: { from: 'ASSIGNED', etaMinutes: DELIVERY_LEG_MINUTES, mutation: 'pickUpOrder' },
  DELIVERED: { from: 'PICKED_UP', etaMinutes: 0, mutation: 'deliverOrder' },
};

/** pickUpOrder and deliverOrder: the delivery's own rider moves it one step on. */
export async function advanceOwnDelivery(ctx: RiderContext, orderId: string, to: LaterStep): Promise<DeliveryRecord> {
  const riderId = requireRole(ctx.principal, 'rider').sub;
  const { from, etaMinutes, mutation } = LATER_STEPS[to];
  const current = await findDelivery(ctx.db, orderId);
  if (!current) {
    // The order subgraph says why not (NOT_FOUND, INVALID_STATE_TRANSITION, ...). If it agrees
    // instead, an earlier acceptDelivery stopped between its two writes: finish it now.
    const step = await recordDeliveryStep(ctx.peers, ctx.authorization, orderId, to);
    return recordNewDelivery(ctx, orderId, riderId, step, to, etaMinutes);
  }
  if (current.riderId !== riderId) {
    throw codedError(ErrorCode.FORBIDDEN, `Order ${orderId} is delivered by another rider.`);
  }
  if (current.status !== from) {
    throw codedError(ErrorCode.INVALID_STATE_TRANSITION, `${mutation} needs a delivery that is ${from}; order ${orderId}'s is ${current.status}.`);
  }
  await recordDeliveryStep(ctx.peers, ctx.authorization, orderId, to);
  const atMs = Date.now();
  if (await advanceDelivery(ctx.db, orderId, from, to, atMs, etaMinutes)) {
    return { ...current, status: to, etaMinutes, ...(to === 'PICKED_UP' ? { pickedUpAtMs: atMs } : { deliveredAtMs: atMs }) };
  }
  // A concurrent request of the same rider moved it first; show what it wrote.
  return (await findDelivery(ctx.db, orderId)) ?? current;
}

function ownOrTaken(delivery: DeliveryRecord, riderId: string): DeliveryRecord {
  if (delivery.riderId === riderId) return delivery;
  throw codedError(ErrorCode.ALREADY_TAKEN, `Order ${delivery.orderId} is already taken by another rider.`);
}

/**
 * Writes the delivery row once the order subgraph has agreed to `requested`. The primary key
 * turns a concurrent twin of this request into a DuplicateKeyError; then the twin's row is the answer.
 */
async function recordNewDelivery(
  ctx: RiderContext,
  orderId: string,
  riderId: string,
  step: DeliveryStepResult,
  requested: DeliveryStatus,
  etaMinutes: number,
): Promise<DeliveryRecord> {
  const atMs = Date.now();
  const status = deliveryStatusAfter(step, requested);
  const delivery: DeliveryRecord = {
    orderId,
    riderId,
    userId: step.userId,
    storeId: step.storeId,
    status,
    etaMinutes: status === 'ASSIGNED' || status === requested ? etaMinutes : LATER_STEPS[status].etaMinutes,
    assignedAtMs: atMs,
    pickedUpAtMs: status === 'ASSIGNED' ? null : atMs,
    deliveredAtMs: status === 'DELIVERED' ? atMs : null,
  };
  try {
    await insertDelivery(ctx.db, delivery);
    return delivery;
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const winner = await findDelivery(ctx.db, orderId);
    if (!winner) throw error;
    return ownOrTaken(winner, riderId);
  }
}

/**
 * A repeated step succeeds on an order that has gone further (a retry after a half-done
 * step); the row then records where the order really is, not the step asked for.
 */
function deliveryStatusAfter(step: DeliveryStepResult, requested: DeliveryStatus): DeliveryStatus {
  return step.status === 'PICKED_UP' || step.status === 'DELIVERED' ? step.status : requested;
}

/** An estimate is not worth failing the trade for: without the store's position, the ETA is a default. */
async function storeLocationOrNull(ctx: RiderContext, storeId: string): Promise<LatLng | null> {
  try {
    return await fetchStoreLocation(ctx.peers, storeId);
  } catch (error) {
    ctx.log.warn({ err: error, storeId }, 'store location unavailable; using the default ETA');
    return null;
  }
}

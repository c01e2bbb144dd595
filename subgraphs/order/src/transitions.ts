import { codedError, ErrorCode, requirePrincipal, requireRole, type Db, type Principal } from '@ordergraph/common';
import { requireStoreMerchant } from './authorization.js';
import { findOrderForUpdate } from './store/orders.js';
import type { OrderEventType, OrderRecord, OrderStatus } from './store/records.js';
import { adjustStats, appendEvent, appendStatus, assignRider, lockStats, updateStatus } from './store/writes.js';

/**
 * The order's state machine. Each move happens in one transaction that locks the order row,
 * checks who is asking and where the order stands, updates it, appends its status history
 * and writes its event to the outbox; a wrong step changes nothing.
 */
interface Move {
  readonly from: readonly OrderStatus[];
  readonly to: OrderStatus;
  readonly event: OrderEventType;
  readonly authorize: (principal: Principal | null, order: OrderRecord) => void;
}

const MOVES = {
  cancel: {
    from: ['PLACED'],
    to: 'CANCELLED',
    event: 'CANCELLED',
    authorize: (principal, order) => {
      const customer = requireRole(principal, 'customer');
      if (customer.sub !== order.userId) throw codedError(ErrorCode.FORBIDDEN, `Order ${order.id} is not yours to cancel.`);
    },
  },
  accept: {
    from: ['PLACED'],
    to: 'ACCEPTED',
    event: 'ACCEPTED',
    authorize: (principal, order) => requireStoreMerchant(principal, order.storeId),
  },
  markReady: {
    from: ['ACCEPTED'],
    to: 'READY',
    event: 'READY',
    authorize: (principal, order) => requireStoreMerchant(principal, order.storeId),
  },
} satisfies Record<string, Move>;

export type MoveName = keyof typeof MOVES;

function invalidTransition(order: OrderRecord, wanted: OrderStatus): Error {
  return codedError(
    ErrorCode.INVALID_STATE_TRANSITION,
    `Order ${order.id} is ${order.status}; it cannot become ${wanted} from there.`,
  );
}

/** Runs one merchant or customer move; returns the order as it now stands. */
export async function moveOrder(
  db: Db,
  principal: Principal | null,
  orderId: string,
  name: MoveName,
  cancelReason?: string | null,
): Promise<OrderRecord> {
  const move: Move = MOVES[name];
  requirePrincipal(principal);
  return db.transaction(async (tx) => {
    const order = await findOrderForUpdate(tx, orderId);
    if (!order) throw codedError(ErrorCode.NOT_FOUND, `Order ${orderId} does not exist.`);
    move.authorize(principal, order);
    if (!move.from.includes(order.status)) throw invalidTransition(order, move.to);
    const now = Date.now();
    const moved = await updateStatus(tx, order.id, move.from, move.to, now, name === 'cancel' ? { cancelReason: cancelReason ?? null } : {});
    if (!moved) throw invalidTransition(order, move.to);
    const updated: OrderRecord = { ...order, status: move.to, updatedAtMs: now };
    await appendStatus(tx, order.id, move.to, now);
    let userVersion: number | null = null;
    if (move.to === 'CANCELLED') {
      const stats = await lockStats(tx, order.userId);
      userVersion = await adjustStats(tx, order.userId, stats.version, -1, order.deliveryFeeWaived);
    }
    await appendEvent(tx, updated, move.event, now, userVersion);
    return updated;
  });
}

export type DeliveryStep = 'ASSIGNED' | 'PICKED_UP' | 'DELIVERED';

/**
 * A rider's step, called by the rider subgraph (which keeps the delivery itself). Exactly one
 * rider can be assigned; a rider repeating a step already taken gets success, so that the
 * rider subgraph can retry a half-done step until both sides agree.
 */
export async function recordDeliveryStep(db: Db, principal: Principal | null, orderId: string, step: DeliveryStep): Promise<OrderRecord> {
  const rider = requireRole(principal, 'rider');
  return db.transaction(async (tx) => {
    const order = await findOrderForUpdate(tx, orderId);
    if (!order) throw codedError(ErrorCode.NOT_FOUND, `Order ${orderId} does not exist.`);
    const now = Date.now();
    if (step === 'ASSIGNED') {
      if (order.riderId === rider.sub) return order;
      if (order.riderId !== null) throw codedError(ErrorCode.ALREADY_TAKEN, `Order ${orderId} already has a rider.`);
      if (!(await assignRider(tx, orderId, rider.sub, now))) {
        throw codedError(ErrorCode.INVALID_STATE_TRANSITION, `Order ${orderId} is ${order.status}; a rider can take it once ACCEPTED or READY.`);
      }
      const updated: OrderRecord = { ...order, riderId: rider.sub, updatedAtMs: now };
      await appendEvent(tx, updated, 'RIDER_ASSIGNED', now);
      return updated;
    }
    if (order.riderId !== rider.sub) throw codedError(ErrorCode.FORBIDDEN, `Order ${orderId} is not assigned to you.`);
    const from: OrderStatus = step === 'PICKED_UP' ? 'READY' : 'PICKED_UP';
    if (order.status === step) return order;
    if (order.status !== from || !(await updateStatus(tx, orderId, [from], step, now))) throw invalidTransition(order, step);
    const updated: OrderRecord = { ...order, status: step, updatedAtMs: now };
    await appendStatus(tx, orderId, step, now);
    await appendEvent(tx, updated, step, now);
    return updated;
  });
}

import { codedError, ErrorCode, requirePrincipal, type Principal } from '@ordergraph/common';
import type { OrderRecord } from './store/records.js';

/** Who may read an order: its customer, its store's merchant, its rider. */
export function canRead(principal: Principal, order: OrderRecord): boolean {
  switch (principal.role) {
    case 'customer':
      return order.userId === principal.sub;
    case 'merchant':
      return principal.storeIds.includes(order.storeId);
    case 'rider':
      return order.riderId === principal.sub;
    case 'service':
      return false;
  }
}

/** The order if the caller may read it; NOT_FOUND when there is none, FORBIDDEN when it is someone else's. */
export function authorizeRead(principal: Principal | null, order: OrderRecord | null, id: string): OrderRecord {
  const who = requirePrincipal(principal);
  if (!order) throw codedError(ErrorCode.NOT_FOUND, `Order ${id} does not exist.`);
  if (!canRead(who, order)) throw codedError(ErrorCode.FORBIDDEN, `Order ${id} is not yours to see.`);
  return order;
}

/** The caller must be `userId` themself (a customer reading their own orders or stats). */
export function requireSelf(principal: Principal | null, userId: string): void {
  const who = requirePrincipal(principal);
  if (who.role !== 'customer' || who.sub !== userId) {
    throw codedError(ErrorCode.FORBIDDEN, `Only user ${userId} may read this.`);
  }
}

/** For internal fields: the user themself, or one of our services (rebuilding precomputed values). */
export function requireSelfOrService(principal: Principal | null, userId: string): void {
  if (principal?.role === 'service') return;
  requireSelf(principal, userId);
}

/** The caller must be a merchant of `storeId`. */
export function requireStoreMerchant(principal: Principal | null, storeId: string): void {
  const who = requirePrincipal(principal);
  if (who.role !== 'merchant' || !who.storeIds.includes(storeId)) {
    throw codedError(ErrorCode.FORBIDDEN, `Only the merchant of store ${storeId} may do this.`);
  }
}

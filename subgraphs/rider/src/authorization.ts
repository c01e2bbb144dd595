import { codedError, ErrorCode, requirePrincipal, type Principal } from '@ordergraph/common';
import type { DeliveryRecord } from './store/deliveries.js';

/** A delivery is seen by the order's customer, the merchant of its store, and its rider; nobody else. */
export function mayReadDelivery(principal: Principal, delivery: DeliveryRecord): boolean {
  switch (principal.role) {
    case 'customer':
      return principal.sub === delivery.userId;
    case 'merchant':
      return principal.storeIds.includes(delivery.storeId);
    case 'rider':
      return principal.sub === delivery.riderId;
    case 'service':
      return false;
  }
}

/** The delivery when the caller may read it; UNAUTHENTICATED without a token, else FORBIDDEN. */
export function authorizeDelivery(principal: Principal | null, delivery: DeliveryRecord): DeliveryRecord {
  if (!mayReadDelivery(requirePrincipal(principal), delivery)) {
    throw codedError(ErrorCode.FORBIDDEN, `The delivery of order ${delivery.orderId} belongs to another customer, store or rider.`);
  }
  return delivery;
}

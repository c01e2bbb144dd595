export const ORDER_STATUSES = ['PLACED', 'ACCEPTED', 'READY', 'PICKED_UP', 'DELIVERED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export type OrderEventType = 'PLACED' | 'ACCEPTED' | 'READY' | 'RIDER_ASSIGNED' | 'PICKED_UP' | 'DELIVERED' | 'CANCELLED';

export interface OrderRecord {
  readonly id: string;
  readonly userId: string;
  readonly storeId: string;
  readonly status: OrderStatus;
  readonly riderId: string | null;
  readonly itemsTotal: number;
  readonly deliveryFee: number;
  readonly deliveryFeeWaived: number;
  readonly requestHash: string | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

export interface OrderItemRecord {
  readonly orderId: string;
  readonly lineNo: number;
  readonly menuItemId: string;
  readonly quantity: number;
  readonly unitPrice: number;
}

export interface StatusChangeRecord {
  readonly orderId: string;
  readonly seq: number;
  readonly status: OrderStatus;
  readonly atMs: number;
}

export interface OrderStatsRecord {
  readonly userId: string;
  readonly activeOrders: number;
  readonly waivedTotal: number;
  /** Rises by one with each change; the change's event carries it. */
  readonly version: number;
}

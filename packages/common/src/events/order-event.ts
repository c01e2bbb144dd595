/** What every order event carries, on the wire and in the outbox. */
export const ORDER_EVENT_TYPES = ['PLACED', 'ACCEPTED', 'READY', 'RIDER_ASSIGNED', 'PICKED_UP', 'DELIVERED', 'CANCELLED'] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];

export interface OrderEvent {
  /** Unique per event: consumers deduplicate on it. */
  readonly eventId: string;
  readonly type: OrderEventType;
  readonly orderId: string;
  readonly storeId: string;
  readonly userId: string;
  readonly atMs: number;
  /** The order as it stood after the change. */
  readonly status: string;
  readonly riderId: string | null;
  readonly itemsTotal: number;
  readonly deliveryFee: number;
  readonly deliveryFeeWaived: number;
  /**
   * For PLACED and CANCELLED: the customer's stats version this event produced. Versions rise
   * by one per change under the customer's row lock, so a consumer can tell whether a value it
   * loaded from MySQL already includes this event.
   */
  readonly userVersion: number | null;
}

/** An event as read from the stream, with the id to acknowledge and to resume after. */
export interface StreamedEvent {
  readonly streamId: string;
  readonly event: OrderEvent;
}

export function encodeEvent(event: OrderEvent): string[] {
  return ['event', JSON.stringify(event)];
}

/** Reads a stream entry's fields; an entry we did not write is an error, not a silent skip. */
export function decodeEvent(fields: readonly string[]): OrderEvent {
  const index = fields.indexOf('event');
  const raw = index >= 0 ? fields[index + 1] : undefined;
  if (raw === undefined) throw new Error(`stream entry has no "event" field: ${JSON.stringify(fields).slice(0, 200)}`);
  return JSON.parse(raw) as OrderEvent;
}

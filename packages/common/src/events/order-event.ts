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

/**
 * Where a rider on an order's delivery is now. Published by the rider subgraph straight to the
 * stream, never through an outbox: a position is superseded by the next one, so losing one
 * costs nothing and it needs no commit to be consistent with.
 */
export interface RiderMovedEvent {
  /** Unique per event, as for order events. */
  readonly eventId: string;
  readonly type: 'RIDER_MOVED';
  readonly orderId: string;
  readonly storeId: string;
  readonly userId: string;
  readonly riderId: string;
  readonly atMs: number;
  readonly lat: number;
  readonly lng: number;
}

/** Everything the stream carries: the outbox's order events and riders' positions. */
export type StreamEvent = OrderEvent | RiderMovedEvent;
export const STREAM_EVENT_TYPES = [...ORDER_EVENT_TYPES, 'RIDER_MOVED'] as const;
export type StreamEventType = (typeof STREAM_EVENT_TYPES)[number];

/** An event as read from the stream, with the id to acknowledge and to resume after. */
export interface StreamedEvent {
  readonly streamId: string;
  readonly event: StreamEvent;
}

export function encodeEvent(event: StreamEvent): string[] {
  return ['event', JSON.stringify(event)];
}

/** Reads a stream entry's fields; an entry we did not write is an error, not a silent skip. */
export function decodeEvent(fields: readonly string[]): StreamEvent {
  const index = fields.indexOf('event');
  const raw = index >= 0 ? fields[index + 1] : undefined;
  if (raw === undefined) throw new Error(`stream entry has no "event" field: ${JSON.stringify(fields).slice(0, 200)}`);
  return JSON.parse(raw) as StreamEvent;
}

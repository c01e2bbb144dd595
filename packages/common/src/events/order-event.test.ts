import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent, STREAM_EVENT_TYPES, type OrderEvent, type RiderMovedEvent } from './order-event.js';

const RIDER_MOVED: RiderMovedEvent = {
  eventId: 'e-moved-1', type: 'RIDER_MOVED', orderId: 'o1', storeId: 's1', userId: 'u1', riderId: 'r1', atMs: 1_700_000_000_123, lat: 31.230416, lng: -121.473701,
};
const PLACED: OrderEvent = {
  eventId: 'e-placed-1', type: 'PLACED', orderId: 'o1', storeId: 's1', userId: 'u1', atMs: 1_700_000_000_000,
  status: 'PLACED', riderId: null, itemsTotal: 4_200, deliveryFee: 500, deliveryFeeWaived: 500, userVersion: 3,
};

describe('stream entry encoding', () => {
  it('reads back a RIDER_MOVED event exactly as it was written, position and all', () => {
    expect(decodeEvent(encodeEvent(RIDER_MOVED))).toEqual(RIDER_MOVED);
  });

  it('reads back an order event exactly as it was written', () => {
    expect(decodeEvent(encodeEvent(PLACED))).toEqual(PLACED);
  });

  it('refuses an entry without an "event" field, naming what it got', () => {
    expect(() => decodeEvent(['other', '{}'])).toThrow('stream entry has no "event" field: ["other","{}"]');
  });

  it('lists RIDER_MOVED among the stream\'s types after every order event type', () => {
    expect(STREAM_EVENT_TYPES).toEqual(['PLACED', 'ACCEPTED', 'READY', 'RIDER_ASSIGNED', 'PICKED_UP', 'DELIVERED', 'CANCELLED', 'RIDER_MOVED']);
  });
});

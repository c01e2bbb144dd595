import { DateTimeScalar, requirePrincipal, type Resolvers } from '@ordergraph/common';
import { authorizeDelivery } from './authorization.js';
import type { RiderContext } from './context.js';
import { acceptDelivery, advanceOwnDelivery } from './delivery-steps.js';
import { updateRiderLocation } from './rider-location.js';
import type { DeliveryRecord } from './store/deliveries.js';
import type { RiderRecord } from './store/riders.js';

interface OrderRef {
  readonly id: string;
}
/** A Rider as other types hand it on: its fields load through the request's loaders. */
interface RiderRef {
  readonly id: string;
}

/** Rider details need a token, any token; the rows come through the request's batch. */
async function riderFor(ctx: RiderContext, id: string): Promise<RiderRecord | null> {
  requirePrincipal(ctx.principal);
  return ctx.loaders.riderById.load(id);
}

export const resolvers: Resolvers<RiderContext> = {
  DateTime: DateTimeScalar,
  Mutation: {
    acceptDelivery: (_root, { orderId }: { orderId: string }, ctx: RiderContext) => acceptDelivery(ctx, orderId),
    pickUpOrder: (_root, { orderId }: { orderId: string }, ctx: RiderContext) => advanceOwnDelivery(ctx, orderId, 'PICKED_UP'),
    deliverOrder: (_root, { orderId }: { orderId: string }, ctx: RiderContext) => advanceOwnDelivery(ctx, orderId, 'DELIVERED'),
    updateRiderLocation: (_root, { lat, lng }: { lat: number; lng: number }, ctx: RiderContext) => updateRiderLocation(ctx, lat, lng),
  },
  Order: {
    // The order subgraph owns orders and has checked this one exists; only its delivery is ours.
    __resolveReference: ({ id }: OrderRef): OrderRef => ({ id }),
    delivery: async ({ id }: OrderRef, _args, ctx: RiderContext) => {
      requirePrincipal(ctx.principal);
      const delivery = await ctx.loaders.deliveryByOrderId.load(id);
      return delivery && authorizeDelivery(ctx.principal, delivery);
    },
  },
  Delivery: {
    pickedUpAt: (d: DeliveryRecord) => d.pickedUpAtMs,
    deliveredAt: (d: DeliveryRecord) => d.deliveredAtMs,
    rider: (d: DeliveryRecord): RiderRef => ({ id: d.riderId }),
  },
  Rider: {
    __resolveReference: async ({ id }: RiderRef, ctx: RiderContext): Promise<RiderRef | null> =>
      (await ctx.loaders.riderById.load(id)) ? { id } : null,
    name: async ({ id }: RiderRef, _args, ctx: RiderContext) => (await riderFor(ctx, id))?.name ?? null,
    phone: async ({ id }: RiderRef, _args, ctx: RiderContext) => (await riderFor(ctx, id))?.phone ?? null,
    location: ({ id }: RiderRef, _args, ctx: RiderContext) => {
      requirePrincipal(ctx.principal);
      return ctx.loaders.locationByRiderId.load(id);
    },
  },
};

import {
  checkPageSize, codedError, DateTimeScalar, decodeCursor, encodeCursor, ErrorCode, money, requireRole, type Resolvers,
} from '@ordergraph/common';
import { authorizeRead, requireSelf, requireSelfOrService, requireStoreMerchant } from './authorization.js';
import type { OrderContext } from './context.js';
import { placeOrder, type PlaceOrderInput } from './place-order.js';
import { findOrderPage, type OrderPageQuery } from './store/orders.js';
import { ORDER_STATUSES, type OrderRecord, type OrderStatus } from './store/records.js';
import { moveOrder, recordDeliveryStep, type DeliveryStep } from './transitions.js';

const MAX_CANCEL_REASON_LENGTH = 500;

async function orderPage(ctx: OrderContext, query: OrderPageQuery) {
  const { orders, hasNextPage } = await findOrderPage(ctx.db, query);
  for (const order of orders) ctx.loaders.orderById.prime(order.id, order);
  const edges = orders.map((node) => ({ cursor: encodeCursor(node), node }));
  return { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
}

function pageArgs(first: number, after: string | null | undefined) {
  return { first: checkPageSize(first), after: after ? decodeCursor(after) : undefined };
}

export const resolvers: Resolvers<OrderContext> = {
  DateTime: DateTimeScalar,
  Query: {
    me: (_root, _args, { principal }) => ({ id: requireRole(principal, 'customer').sub }),
    order: async (_root, { id }: { id: string }, { principal, loaders }) =>
      authorizeRead(principal, await loaders.orderById.load(id), id),
    // Shared with the store subgraph, which knows whether the store exists: a store it does not
    // know is null here too. When it cannot be asked, the board still serves (authorization guards it).
    store: async (_root, { id }: { id: string }, { loaders }) => ((await loaders.storeExists.load(id).catch(() => true)) ? { id } : null),
  },
  Mutation: {
    placeOrder: (_root, { input }: { input: PlaceOrderInput }, ctx) =>
      placeOrder(ctx.db, ctx.peers, ctx.principal, ctx.authorization, input),
    cancelOrder: (_root, { id, reason }: { id: string; reason?: string | null }, ctx) => {
      if (reason && reason.length > MAX_CANCEL_REASON_LENGTH) {
        throw codedError(ErrorCode.BAD_USER_INPUT, `reason is at most ${MAX_CANCEL_REASON_LENGTH} characters; got ${reason.length}.`);
      }
      return moveOrder(ctx.db, ctx.principal, id, 'cancel', reason ?? null);
    },
    acceptOrder: (_root, { id }: { id: string }, ctx) => moveOrder(ctx.db, ctx.principal, id, 'accept'),
    markOrderReady: (_root, { id }: { id: string }, ctx) => moveOrder(ctx.db, ctx.principal, id, 'markReady'),
    recordDeliveryStep: async (_root, { orderId, step }: { orderId: string; step: DeliveryStep }, ctx) => {
      const order = await recordDeliveryStep(ctx.db, ctx.principal, orderId, step);
      return { orderId: order.id, userId: order.userId, storeId: order.storeId, status: order.status };
    },
  },
  User: {
    orders: (user: { id: string }, { first, after }: { first: number; after?: string | null }, ctx) => {
      requireSelf(ctx.principal, user.id);
      return orderPage(ctx, { owner: { column: 'user_id', id: user.id }, ...pageArgs(first, after) });
    },
    orderStats: async (user: { id: string }, _args, ctx) => {
      requireSelfOrService(ctx.principal, user.id);
      const stats = await ctx.loaders.statsByUserId.load(user.id);
      return { activeOrders: stats.activeOrders, waivedDeliveryFeeTotal: stats.waivedTotal, version: stats.version };
    },
  },
  Store: {
    orders: (
      store: { id: string },
      { status, first, after }: { status?: OrderStatus[] | null; first: number; after?: string | null },
      ctx,
    ) => {
      requireStoreMerchant(ctx.principal, store.id);
      const statuses = status?.filter((s) => ORDER_STATUSES.includes(s));
      return orderPage(ctx, { owner: { column: 'store_id', id: store.id }, statuses, ...pageArgs(first, after) });
    },
  },
  Order: {
    __resolveReference: async ({ id }: { id: string }, ctx: OrderContext) =>
      authorizeRead(ctx.principal, await ctx.loaders.orderById.load(id), id),
    createdAt: (order: OrderRecord) => order.createdAtMs,
    updatedAt: (order: OrderRecord) => order.updatedAtMs,
    user: (order: OrderRecord) => ({ id: order.userId }),
    store: (order: OrderRecord) => ({ id: order.storeId }),
    items: async (order: OrderRecord, _args, { loaders }: OrderContext) =>
      (await loaders.itemsByOrderId.load(order.id)).map((item) => ({
        quantity: item.quantity,
        unitPrice: money(item.unitPrice),
        menuItem: { id: item.menuItemId },
      })),
    fees: (order: OrderRecord) => ({
      itemsTotal: money(order.itemsTotal),
      deliveryFee: money(order.deliveryFee),
      deliveryFeeWaived: money(order.deliveryFeeWaived),
      payable: money(order.itemsTotal + order.deliveryFee - order.deliveryFeeWaived),
    }),
    statusHistory: async (order: OrderRecord, _args, { loaders }: OrderContext) =>
      (await loaders.historyByOrderId.load(order.id)).map((change) => ({ status: change.status, at: change.atMs })),
  },
};

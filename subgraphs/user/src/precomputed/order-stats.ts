import { codedError, ErrorCode, type GraphQLClient } from '@ordergraph/common';

/** What isFirstOrder and waivedDeliveryFeeTotal derive from, as the order subgraph counts it. */
export interface OrderStats {
  /** Orders that are not cancelled. */
  readonly activeOrders: number;
  /** Fen, over the orders that are not cancelled. */
  readonly waivedDeliveryFeeTotal: number;
  /** The stats' version: every event up to it is included, none after. */
  readonly version: number;
}

const ORDER_STATS_QUERY = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on User { id orderStats { activeOrders waivedDeliveryFeeTotal version } } }
}`;

interface OrderStatsData {
  readonly _entities: ReadonlyArray<{ readonly id?: string; readonly orderStats?: OrderStats | null } | null>;
}

/**
 * Key i gets the stats of user ids[i], in one call to the order subgraph whatever the number
 * of ids. The one place that knows where the stats come from, so that a precomputed store
 * (Redis, with this as its fallback) can take its place without touching the resolvers.
 * A user the order subgraph gives no stats for gets an error of its own, not everyone's.
 */
export async function loadOrderStats(
  order: GraphQLClient,
  ids: readonly string[],
  authorization: string | undefined,
): Promise<Array<OrderStats | Error>> {
  const representations = ids.map((id) => ({ __typename: 'User', id }));
  const data = await order.requestData<OrderStatsData>(ORDER_STATS_QUERY, { representations }, { authorization });
  const byId = new Map<string, OrderStats>();
  for (const entity of data._entities) {
    if (entity?.id && entity.orderStats) byId.set(entity.id, entity.orderStats);
  }
  return ids.map(
    (id) =>
      byId.get(id) ??
      codedError(ErrorCode.SUBGRAPH_UNAVAILABLE, `The ${order.options.name} service returned no order stats for user ${id}.`, {
        subgraph: order.options.name,
      }),
  );
}

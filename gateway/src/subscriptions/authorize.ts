import { codedError, ErrorCode, type Principal } from '@ordergraph/common';
import type { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { RunQuery } from './event-resolver.js';
import type { PreparedSubscription } from './operation.js';

/** Asks the order subgraph, with the subscriber's own token, whether it may read the order: the owner of the data decides. */
const ORDER_ACCESS_QUERY = 'query OrderUpdatedAccess($id: ID!) { order(id: $id) { id } }';

/**
 * Whether the principal may subscribe, or the error it gets. A merchant watches only the
 * stores its token names (the claims are trusted, as everywhere); whoever may read an order
 * (its customer, its store's merchant, its rider) may track it.
 */
export async function authorizeSubscription(
  prepared: PreparedSubscription,
  principal: Principal,
  context: GatewayContext,
  runQuery: RunQuery,
): Promise<GraphQLError | null> {
  switch (prepared.field) {
    case 'storeOrderEvents':
      if (principal.role === 'merchant' && principal.storeIds.includes(prepared.target)) return null;
      return codedError(ErrorCode.FORBIDDEN, `Only the merchant of store ${prepared.target} may subscribe to its orders.`);
    case 'orderUpdated': {
      const { data, errors } = await runQuery({ query: ORDER_ACCESS_QUERY, variables: { id: prepared.target }, operationName: 'OrderUpdatedAccess' }, context);
      const [error] = errors ?? [];
      if (error) {
        const code = typeof error.extensions?.['code'] === 'string' ? error.extensions['code'] : ErrorCode.INTERNAL_SERVER_ERROR;
        return codedError(code as ErrorCode, error.message, error.extensions ?? {});
      }
      if (!data?.['order']) return codedError(ErrorCode.NOT_FOUND, `There is no order ${prepared.target}.`);
      return null;
    }
  }
}

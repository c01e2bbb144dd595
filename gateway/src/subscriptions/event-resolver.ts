import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { execute, GraphQLError, type ExecutionResult, type GraphQLFieldResolver, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import pLimit from 'p-limit';
import { codedError, ErrorCode, type Logger, type StreamedEvent } from '@ordergraph/common';
import { SPAN, SPAN_ATTR } from '@ordergraph/telemetry';
import type { GatewayContext } from '../context.js';
import type { PreparedSubscription } from './operation.js';

const tracer = trace.getTracer('@ordergraph/gateway');

/**
 * Distinct event resolutions in flight at once: a burst of events queues here rather than
 * taking the subgraph bulkheads' slots from requests. Subscribers sharing a resolution share
 * its slot, so a store's twenty dashboards cost one.
 */
const RESOLUTION_CONCURRENCY = 32;

/** Runs a query through the gateway's own pipeline: parsing cache, planner, policies, error formatting. */
export type RunQuery = (
  request: { query: string; variables: Record<string, unknown>; operationName: string | undefined },
  context: GatewayContext,
) => Promise<{ data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[] }>;

/** Who a payload is resolved for: subscribers with equal keys see equal data. */
export interface Audience {
  /** Role, subject and stores: never shared across principals. */
  readonly principalKey: string;
  readonly context: () => GatewayContext;
}

/**
 * Turns a stream event into a subscription's payload: `type` and `at` from the event, `order`
 * resolved through the gateway's federated execution, with that subscriber's token, so it
 * carries what StoreOrders would and degrades the same way. Subscribers of one principal with
 * one selection share each event's resolution.
 */
export class EventResolver {
  private readonly inFlight = new Map<string, Promise<ExecutionResult>>();
  private readonly limit = pLimit(RESOLUTION_CONCURRENCY);

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly runQuery: RunQuery,
    private readonly log: Logger,
  ) {}

  resolve(streamed: StreamedEvent, prepared: PreparedSubscription, audience: Audience): Promise<ExecutionResult> {
    const key = `${streamed.streamId}\u0000${audience.principalKey}\u0000${prepared.key}`;
    let result = this.inFlight.get(key);
    if (!result) {
      // Shared until settled: the feed hands an event to all its subscribers in one go, so they all find it here.
      result = this.limit(() => this.build(streamed, prepared, audience)).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, result);
    }
    return result;
  }

  private build(streamed: StreamedEvent, prepared: PreparedSubscription, audience: Audience): Promise<ExecutionResult> {
    return tracer.startActiveSpan(
      SPAN.subscriptionEvent(prepared.field),
      { kind: SpanKind.CONSUMER, attributes: { [SPAN_ATTR.streamId]: streamed.streamId, [SPAN_ATTR.eventType]: streamed.event.type } },
      async (span) => {
        try {
          const orders = prepared.orderQuery ? await this.resolveOrder(streamed, prepared, audience) : null;
          const result = await this.assemble(streamed, prepared, orders);
          return { ...result, extensions: { streamId: streamed.streamId } };
        } catch (error) {
          this.log.error({ err: error, streamId: streamed.streamId }, 'subscription: resolving an event failed');
          span.setStatus({ code: SpanStatusCode.ERROR });
          return { data: null, errors: [codedError(ErrorCode.INTERNAL_SERVER_ERROR, 'The event could not be resolved.')], extensions: { streamId: streamed.streamId } };
        } finally {
          span.end();
        }
      },
    );
  }

  private async resolveOrder(streamed: StreamedEvent, prepared: PreparedSubscription, audience: Audience) {
    const orderQuery = prepared.orderQuery!;
    return this.runQuery(
      {
        query: orderQuery.text,
        variables: { ...prepared.variables, [orderQuery.orderIdVariable]: streamed.event.orderId },
        operationName: prepared.operationName,
      },
      audience.context(),
    );
  }

  /**
   * Executes the subscription's own selection over the event: GraphQL does the aliases,
   * fragments and __typename; below `order`, values come from the federated result, which is
   * keyed by response key. The order's `status` is the event's, so each event shows the
   * state it announces even when the order has moved on by the time it is resolved.
   */
  private async assemble(
    streamed: StreamedEvent,
    prepared: PreparedSubscription,
    orders: { data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[] } | null,
  ): Promise<ExecutionResult> {
    const { event } = streamed;
    const resolveField: GraphQLFieldResolver<unknown, unknown> = (source, _args, _context, info) => {
      const path = info.path;
      if (!path.prev) return event;
      if (!path.prev.prev) {
        if (info.fieldName === 'type') return event.type;
        if (info.fieldName === 'at') return new Date(event.atMs).toISOString();
        if (info.fieldName === 'order') return orders?.data?.[path.key] ?? null;
        return null;
      }
      if (!path.prev.prev.prev && info.fieldName === 'status' && event.type !== 'RIDER_MOVED') return event.status;
      return (source as Record<string, unknown> | null)?.[path.key];
    };
    const result = await execute({
      schema: this.schema,
      document: prepared.document,
      operationName: prepared.operationName,
      variableValues: prepared.variables,
      rootValue: {},
      fieldResolver: resolveField,
    });
    const rootKey = Object.keys(result.data ?? {})[0];
    const federatedErrors = (orders?.errors ?? []).map((error) => toGraphQLError(error, rootKey));
    const errors = [...(result.errors ?? []), ...federatedErrors];
    return errors.length > 0 ? { data: result.data ?? null, errors } : { data: result.data ?? null };
  }
}

/** A formatted error from the gateway's pipeline as a GraphQLError again, its path under `rootKey` when given. */
export function toGraphQLError(error: GraphQLFormattedError, rootKey?: string): GraphQLError {
  const path = error.path && rootKey ? [rootKey, ...error.path] : error.path;
  return new GraphQLError(error.message, { ...(path ? { path } : {}), ...(error.extensions ? { extensions: error.extensions } : {}) });
}

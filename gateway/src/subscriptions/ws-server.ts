import type { Server as HttpServer } from 'node:http';
import {
  getOperationAST, getVariableValues, GraphQLError, OperationTypeNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema,
} from 'graphql';
import type { Context as WsContext, SubscribePayload } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import {
  codedError, ErrorCode, STREAM_RETENTION_MS, verifyBearer, type Logger, type Principal, type VerifiedBearer,
} from '@ordergraph/common';
import { LABEL } from '@ordergraph/telemetry';
import type { SubscriptionLimits } from '../config.js';
import type { GatewayContext } from '../context.js';
import type { SubscriptionMetrics } from '../telemetry/subscription-metrics.js';
import { authorizeSubscription } from './authorize.js';
import { CloseCode, closeReason } from './close-codes.js';
import { DocumentCache } from './document-cache.js';
import type { EventFeed, FeedKey } from './event-feed.js';
import { keysOf } from './event-feed.js';
import { EventResolver, toGraphQLError, type RunQuery } from './event-resolver.js';
import { LiveSubscription } from './live-subscription.js';
import { prepareSubscription, type PreparedSubscription } from './operation.js';

export interface SubscriptionServerOptions {
  readonly httpServer: HttpServer;
  readonly path: string;
  /** The gateway's API schema: what subscribe messages are validated against. */
  readonly schema: GraphQLSchema;
  readonly runQuery: RunQuery;
  /** Null when the gateway has no event stream: subscriptions are then refused with a clear error. */
  readonly feed: EventFeed | null;
  readonly key: Uint8Array;
  readonly limits: SubscriptionLimits;
  readonly requestDeadlineMs: number;
  readonly metrics: SubscriptionMetrics;
  readonly log: Logger;
}

export interface SubscriptionServer {
  /** Closes every connection with 1001 Going Away, so that clients reconnect to another replica. */
  close(): Promise<void>;
}

interface Connection {
  readonly principal: Principal;
  readonly authorization: string;
  readonly principalKey: string;
  subscriptions: number;
  /** Closes the connection when its token expires. */
  readonly expiry: NodeJS.Timeout | null;
}

type ConnectionParams = { authorization?: unknown; Authorization?: unknown };
type WsExtra = Extra & Record<PropertyKey, unknown>;
type Ctx = WsContext<ConnectionParams, WsExtra>;

/** What onSubscribe hands to `subscribe` and `execute`, in ExecutionArgs.contextValue. */
type OperationContext =
  | { readonly kind: 'subscription'; readonly ctx: Ctx; readonly connection: Connection; readonly prepared: PreparedSubscription; readonly resumeAfter: string | null }
  | { readonly kind: 'operation'; readonly connection: Connection; readonly payload: SubscribePayload };

/** Inbound messages are subscribe requests: a contract operation is a few hundred bytes. */
const MAX_MESSAGE_BYTES = 256 * 1024;
/** On shutdown, how long clients get to answer the close frame before their sockets are cut. */
const CLOSE_GRACE_MS = 1_000;
const STREAM_ID = /^\d{1,15}-\d{1,15}$/;

/**
 * GraphQL over WebSocket (graphql-transport-ws) on the gateway's /graphql: subscriptions fed
 * from the order events stream, queries and mutations through the same pipeline as HTTP.
 */
export function startSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const { feed, limits, metrics, log } = options;
  const wss = new WebSocketServer({ server: options.httpServer, path: options.path, maxPayload: MAX_MESSAGE_BYTES });
  const resolver = new EventResolver(options.schema, options.runQuery, log);
  const documents = new DocumentCache(options.schema);
  const connections = new WeakMap<Ctx, Connection>();
  const perPrincipal = new Map<string, number>();

  const contextFor = (connection: Connection): GatewayContext => ({
    principal: connection.principal,
    authorization: connection.authorization,
    deadline: AbortSignal.timeout(options.requestDeadlineMs),
  });
  const closeWith = (ctx: Ctx, code: number, reason: string, metricReason: string) => {
    metrics.closed.inc({ reason: metricReason });
    ctx.extra.socket.close(code, reason);
  };
  const refuse = (error: GraphQLError): GraphQLError[] => {
    metrics.refused.inc({ code: String(error.extensions['code']) });
    return [error];
  };

  // A connection outliving its token would go on receiving what the token no longer grants.
  const closeAtExpiry = (ctx: Ctx, expiresAtMs: number | null): NodeJS.Timeout | null => {
    if (expiresAtMs === null) return null;
    const timer = setTimeout(
      () => closeWith(ctx, CloseCode.unauthenticated, closeReason(ErrorCode.UNAUTHENTICATED, 'The bearer token has expired: reconnect with a new one.'), 'token_expired'),
      // setTimeout holds at most 2^31-1 ms (about 24.8 days); a token valid longer is closed then and may reconnect.
      Math.min(Math.max(0, expiresAtMs - Date.now()), 2 ** 31 - 1),
    );
    timer.unref();
    return timer;
  };

  const onConnect = async (ctx: Ctx): Promise<boolean> => {
    const params = ctx.connectionParams ?? {};
    const authorization = params.authorization ?? params.Authorization;
    let bearer: VerifiedBearer | null = null;
    try {
      bearer = await verifyBearer(typeof authorization === 'string' ? authorization : undefined, options.key);
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      closeWith(ctx, CloseCode.unauthenticated, closeReason(ErrorCode.UNAUTHENTICATED, error.message), 'unauthenticated');
      return false;
    }
    if (!bearer || typeof authorization !== 'string') {
      closeWith(ctx, CloseCode.unauthenticated, closeReason(ErrorCode.UNAUTHENTICATED, 'connection_init must carry { "authorization": "Bearer <JWT>" }.'), 'unauthenticated');
      return false;
    }
    const { principal } = bearer;
    const principalKey = principal.role === 'merchant' ? `merchant:${principal.sub}:${[...principal.storeIds].sort().join(',')}` : `${principal.role}:${principal.sub}`;
    const open = perPrincipal.get(principalKey) ?? 0;
    if (open >= limits.connectionsPerPrincipal) {
      closeWith(ctx, CloseCode.tooManyConnections, closeReason(ErrorCode.RATE_LIMITED, `at most ${limits.connectionsPerPrincipal} connections per principal.`), 'too_many_connections');
      return false;
    }
    perPrincipal.set(principalKey, open + 1);
    connections.set(ctx, { principal, authorization, principalKey, subscriptions: 0, expiry: closeAtExpiry(ctx, bearer.expiresAtMs) });
    metrics.connections.inc();
    return true;
  };

  const onClose = (ctx: Ctx) => {
    const connection = connections.get(ctx);
    if (!connection) return;
    connections.delete(ctx);
    if (connection.expiry) clearTimeout(connection.expiry);
    metrics.connections.dec();
    const open = (perPrincipal.get(connection.principalKey) ?? 1) - 1;
    if (open > 0) perPrincipal.set(connection.principalKey, open);
    else perPrincipal.delete(connection.principalKey);
  };

  const onSubscribe = async (ctx: Ctx, _id: string, payload: SubscribePayload): Promise<ExecutionArgs | GraphQLError[]> => {
    const connection = connections.get(ctx);
    if (!connection) return refuse(codedError(ErrorCode.UNAUTHENTICATED, 'The connection is not authenticated.'));
    const parsed = documents.get(payload.query);
    if (parsed instanceof GraphQLError) return refuse(parsed);
    const { document } = parsed;
    const operation = getOperationAST(document, payload.operationName);
    if (!operation) return refuse(codedError(ErrorCode.GRAPHQL_VALIDATION_FAILED, 'Name the operation to run (operationName).'));
    if (operation.operation !== OperationTypeNode.SUBSCRIPTION) {
      const contextValue: OperationContext = { kind: 'operation', connection, payload };
      return { schema: options.schema, document, contextValue };
    }

    if (!feed) return refuse(codedError(ErrorCode.INTERNAL_SERVER_ERROR, 'This gateway has no order events stream (REDIS_URL is unset): it serves no subscriptions.'));
    if (connection.subscriptions >= limits.perConnection) {
      return refuse(codedError(ErrorCode.RATE_LIMITED, `At most ${limits.perConnection} subscriptions per connection.`));
    }
    const coerced = getVariableValues(options.schema, operation.variableDefinitions ?? [], payload.variables ?? {});
    if (coerced.errors) return refuse(codedError(ErrorCode.BAD_USER_INPUT, coerced.errors.map((e) => e.message).join(' ')));
    const prepared = prepareSubscription(options.schema, parsed, operation, coerced.coerced);
    if (!prepared) return refuse(codedError(ErrorCode.GRAPHQL_VALIDATION_FAILED, 'This subscription field is not served.'));

    const resumeAfter = payload.extensions?.['resumeAfter'] ?? null;
    if (resumeAfter !== null) {
      if (typeof resumeAfter !== 'string' || !STREAM_ID.test(resumeAfter)) {
        return refuse(codedError(ErrorCode.BAD_USER_INPUT, `extensions.resumeAfter must be a stream id as sent in extensions.streamId ("<ms>-<seq>"); got ${JSON.stringify(resumeAfter)}.`));
      }
      if (Number(resumeAfter.split('-')[0]) <= Date.now() - STREAM_RETENTION_MS) {
        return refuse(codedError(ErrorCode.BAD_USER_INPUT, `extensions.resumeAfter ${resumeAfter} is older than the ${STREAM_RETENTION_MS / 60_000} minutes the stream keeps: reload, then subscribe without it.`));
      }
    }
    const denied = await authorizeSubscription(prepared, connection.principal, contextFor(connection), options.runQuery);
    if (denied) return refuse(denied);
    // Counted here, not in subscribe(), so that concurrent subscribe messages cannot pass the limit together.
    connection.subscriptions++;
    const contextValue: OperationContext = { kind: 'subscription', ctx, connection, prepared, resumeAfter };
    return { schema: options.schema, document, operationName: payload.operationName ?? undefined, variableValues: payload.variables ?? {}, contextValue };
  };

  const subscribe = (args: ExecutionArgs): AsyncGenerator<ExecutionResult, undefined> => {
    const context = args.contextValue as Extract<OperationContext, { kind: 'subscription' }>;
    const { ctx, connection, prepared } = context;
    const field = prepared.field;
    const feedKey: FeedKey = field === 'storeOrderEvents' ? `store:${prepared.target}` : `order:${prepared.target}`;
    const audience = { principalKey: connection.principalKey, context: () => contextFor(connection) };
    let unlisten = () => {};
    const live = new LiveSubscription({
      matches: (streamed) => keysOf(streamed).includes(feedKey),
      resolve: (streamed) => resolver.resolve(streamed, prepared, audience),
      readAfter: (streamId, count) => feed!.stream.readAfter(streamId, count),
      bufferEvents: limits.bufferEvents,
      onOverflow: (clientBehind) =>
        clientBehind
          ? closeWith(ctx, CloseCode.slowConsumer, closeReason('SLOW_CONSUMER', `more than ${limits.bufferEvents} events waiting; resume with the last streamId.`), 'slow_consumer')
          : closeWith(ctx, CloseCode.overloaded, closeReason('OVERLOADED', `this replica is ${limits.bufferEvents} events behind; resume with the last streamId.`), 'gateway_behind'),
      onHandOut: (streamed) => {
        metrics.delivered.inc({ [LABEL.field]: field });
        metrics.deliveryLag.observe({ [LABEL.field]: field }, Math.max(0, Date.now() - streamed.event.atMs) / 1_000);
      },
      onEnd: () => {
        unlisten();
        connection.subscriptions--;
        metrics.active.dec({ [LABEL.field]: field });
      },
    });
    if (context.resumeAfter) live.resumeAfter(context.resumeAfter);
    unlisten = feed!.listen(feedKey, (streamed) => live.offer(streamed));
    metrics.active.inc({ [LABEL.field]: field });
    return live;
  };

  const execute = async (args: ExecutionArgs): Promise<ExecutionResult> => {
    const { connection, payload } = args.contextValue as Extract<OperationContext, { kind: 'operation' }>;
    const result = await options.runQuery(
      { query: payload.query, variables: payload.variables ?? {}, operationName: payload.operationName ?? undefined },
      contextFor(connection),
    );
    return {
      data: result.data ?? null,
      ...(result.errors ? { errors: result.errors.map((error) => toGraphQLError(error)) } : {}),
    };
  };

  const server = useServer<ConnectionParams, WsExtra>(
    { onConnect, onClose, onSubscribe, subscribe, execute },
    wss,
    limits.keepAliveMs > 0 ? limits.keepAliveMs : Infinity,
  );

  return {
    close: async () => {
      for (const socket of wss.clients) socket.close(CloseCode.goingAway, closeReason('GOING_AWAY', 'this replica is shutting down; reconnect.'));
      const deadline = Date.now() + CLOSE_GRACE_MS;
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      for (const socket of wss.clients) socket.terminate();
      await server.dispose();
    },
  };
}

import type { IncomingMessage } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express from 'express';
import { buildSchema, GraphQLError, printSchema } from 'graphql';
import {
  createErrorFormatter, createHttpErrorHandler, GRAPHQL_BODY_LIMIT_BYTES, listen, withGraphQLPost, openRedis, operationMetricsPlugin, principalFromAuthorization, RedisEventStream, requestLogPlugin, secretKey,
  type EventStream, type Logger, type RunningServer,
} from '@ordergraph/common';
import { nameServiceOnSpan } from '@ordergraph/telemetry';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { CompiledGateway } from './execution/compiled-gateway.js';
import { EntityCache } from './execution/entity-cache.js';
import { distinctErrorsPlugin } from './plugins/distinct-errors.js';
import { requestDeadline, requestDeadlinePlugin } from './plugins/request-deadline.js';
import { createReadinessCheck } from './readiness.js';
import { resolvePerSubgraph } from './resilience/options.js';
import { SubgraphSource } from './subgraph-source.js';
import { EventFeed } from './subscriptions/event-feed.js';
import type { RunQuery } from './subscriptions/event-resolver.js';
import { startSubscriptionServer } from './subscriptions/ws-server.js';
import { GatewayMetrics } from './telemetry/metrics.js';
import { SubscriptionMetrics } from './telemetry/subscription-metrics.js';
import { loadSupergraph } from './supergraph.js';

export interface RunningGateway extends RunningServer {
  /** `origin/graphql`. */
  readonly url: string;
  /** Each subgraph's client, by name: its policy state is what /metrics reports. */
  readonly sources: ReadonlyMap<string, SubgraphSource>;
  readonly metrics: GatewayMetrics;
}

export interface GatewayDeps {
  /**
   * The order events stream subscriptions are fed from. By default the Redis Stream at
   * REDIS_URL; the all-in-one embedded system passes its in-process stream.
   */
  readonly events?: EventStream;
}

/**
 * A federation gateway for whatever supergraph the config names: Apollo's planner and
 * executor, a keep-alive client per subgraph, JWT verified at the edge and passed on, and
 * subscriptions over WebSocket on the same endpoint, fed from the order events stream.
 */
export async function startGateway(config: GatewayConfig, log: Logger, deps: GatewayDeps = {}): Promise<RunningGateway> {
  const supergraph = loadSupergraph(config);
  const urls = new Map(supergraph.subgraphs.map(({ name, url }) => [name, url]));
  const sources: SubgraphSource[] = [];
  const metrics = new GatewayMetrics();
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph.sdl,
    logger: log,
    buildService: ({ name, url }) => {
      const source = new SubgraphSource({
        name,
        url: urls.get(name) ?? url ?? '',
        resilience: resolvePerSubgraph(config.resilience, name),
        metrics,
      });
      sources.push(source);
      return source;
    },
  });

  let loaded = false;
  const apollo = new ApolloServer<GatewayContext>({
    gateway: config.executor === 'compiled'
      ? new CompiledGateway({
        gateway,
        sources: () => new Map(sources.map((source) => [source.name, source])),
        log,
        planned: metrics.operationsPlanned,
        entityCache: config.entityCache ? new EntityCache(config.entityCache, metrics.entityCacheCounters()) : undefined,
      })
      : gateway,
    introspection: !config.production,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter(log),
    // Callers authenticate with a bearer header, never a cookie, so a cross-site request carries
    // no credentials: CSRF prevention would only refuse the contract's plain GET requests.
    csrfPrevention: false,
    // closeOnSignal (the process's edge) owns shutdown; Apollo's own SIGTERM handler would stop it a second time, concurrently.
    stopOnTerminationSignals: false,
    logger: log,
    plugins: [
      requestDeadlinePlugin(),
      distinctErrorsPlugin(),
      // After distinctErrorsPlugin, so that it counts the errors the client gets.
      operationMetricsPlugin<GatewayContext>(metrics.registry),
      requestLogPlugin<GatewayContext>(log),
      config.production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
    ],
  });
  await apollo.start();
  loaded = true;

  const key = secretKey(config.jwtSecret);
  const readiness = createReadinessCheck(supergraph.subgraphs, () => loaded);
  const app = express();
  app.disable('x-powered-by');
  if (config.corsOrigins.length > 0) app.use('/graphql', cors({ origin: [...config.corsOrigins], maxAge: 600 }));
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    const report = await readiness.check();
    res.status(report.ready ? 200 : 503).json(report);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  const context = async (req: IncomingMessage): Promise<GatewayContext> => {
    const authorization = req.headers.authorization;
    try {
      const principal = await principalFromAuthorization(authorization, key);
      return { principal, authorization, ...requestDeadline(config.requestDeadlineMs) };
    } catch (error) {
      if (error instanceof GraphQLError) {
        throw new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 401 } } });
      }
      throw error;
    }
  };
  app.use(
    '/graphql',
    nameServiceOnSpan('gateway'),
    express.json({ limit: GRAPHQL_BODY_LIMIT_BYTES }),
    expressMiddleware(apollo, { context: ({ req }) => context(req) }),
  );

  app.use(createHttpErrorHandler(log));

  const listener = withGraphQLPost(apollo, app, { service: 'gateway', path: '/graphql', maxBodyBytes: GRAPHQL_BODY_LIMIT_BYTES, context, log });
  const running = await listen(listener, config.host, config.port);

  // Events resolve their `order` through the same pipeline as an HTTP request: plan cache, policies, error codes.
  const runQuery: RunQuery = async (request, contextValue) => {
    const response = await apollo.executeOperation(request, { contextValue });
    if (response.body.kind !== 'single') throw new Error('incremental delivery is not used by subscription events');
    return response.body.singleResult;
  };
  const redis = deps.events ? null : openRedis(config.redis?.url ?? null, config.redis?.keyPrefix);
  const events = deps.events ?? (redis ? new RedisEventStream(redis) : null);
  if (!events) log.warn('no REDIS_URL: this gateway serves no subscriptions');
  const feed = events ? new EventFeed(events, log) : null;
  const subscriptions = startSubscriptionServer({
    httpServer: running.server,
    path: '/graphql',
    // A copy without the resolvers Apollo Server wraps into its schema for its plugins: events execute over plain fields.
    schema: buildSchema(printSchema(gateway.schema!)),
    runQuery,
    feed,
    key,
    limits: config.subscriptions,
    requestDeadlineMs: config.requestDeadlineMs,
    metrics: new SubscriptionMetrics(metrics.registry),
    log,
  });

  let closing: Promise<void> | undefined;
  const shutdown = async () => {
    // Subscribers first: told to go elsewhere while this replica can still answer their last messages.
    await subscriptions.close();
    await feed?.stop();
    if (redis) {
      await events?.close();
      redis.disconnect();
    }
    await running.close();
    await apollo.stop();
    await readiness.close();
    await Promise.all(sources.map((source) => source.close()));
  };
  log.info({ url: `${running.origin}/graphql`, subgraphs: supergraph.subgraphs.map((s) => s.name) }, 'gateway listening');
  return {
    ...running,
    url: `${running.origin}/graphql`,
    sources: new Map(sources.map((source) => [source.name, source])),
    metrics,
    // Idempotent: shutdown paths overlap (a test stops the gateway, then the whole system).
    close: () => (closing ??= shutdown()),
  };
}

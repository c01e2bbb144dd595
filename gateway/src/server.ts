import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError } from 'graphql';
import { createErrorFormatter, createHttpErrorHandler, listen, operationMetricsPlugin, principalFromAuthorization, secretKey, type Logger, type RunningServer } from '@ordergraph/common';
import { nameServiceOnSpan } from '@ordergraph/telemetry';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { distinctErrorsPlugin } from './plugins/distinct-errors.js';
import { createReadinessCheck } from './readiness.js';
import { resolvePerSubgraph } from './resilience/options.js';
import { SubgraphSource } from './subgraph-source.js';
import { GatewayMetrics } from './telemetry/metrics.js';
import { loadSupergraph } from './supergraph.js';

export interface RunningGateway extends RunningServer {
  /** `origin/graphql`. */
  readonly url: string;
  /** Each subgraph's client, by name: its policy state is what /metrics reports. */
  readonly sources: ReadonlyMap<string, SubgraphSource>;
  readonly metrics: GatewayMetrics;
}

/**
 * A federation gateway for whatever supergraph the config names: Apollo's planner and
 * executor, a keep-alive client per subgraph, JWT verified at the edge and passed on.
 */
export async function startGateway(config: GatewayConfig, log: Logger): Promise<RunningGateway> {
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
    gateway,
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
      distinctErrorsPlugin(),
      // After distinctErrorsPlugin, so that it counts the errors the client gets.
      operationMetricsPlugin<GatewayContext>(metrics.registry),
      config.production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
    ],
  });
  await apollo.start();
  loaded = true;

  const key = secretKey(config.jwtSecret);
  const readiness = createReadinessCheck(supergraph.subgraphs, () => loaded);
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    const report = await readiness.check();
    res.status(report.ready ? 200 : 503).json(report);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use(
    '/graphql',
    nameServiceOnSpan('gateway'),
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<GatewayContext> => {
        const authorization = req.headers.authorization;
        try {
          const principal = await principalFromAuthorization(authorization, key);
          return { principal, authorization, deadline: AbortSignal.timeout(config.requestDeadlineMs) };
        } catch (error) {
          if (error instanceof GraphQLError) {
            throw new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 401 } } });
          }
          throw error;
        }
      },
    }),
  );

  app.use(createHttpErrorHandler(log));

  const running = await listen(app, config.host, config.port);
  log.info({ url: `${running.origin}/graphql`, subgraphs: supergraph.subgraphs.map((s) => s.name) }, 'gateway listening');
  return {
    ...running,
    url: `${running.origin}/graphql`,
    sources: new Map(sources.map((source) => [source.name, source])),
    metrics,
    close: async () => {
      await running.close();
      await apollo.stop();
      await readiness.close();
      await Promise.all(sources.map((source) => source.close()));
    },
  };
}

import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import express from 'express';
import { nameServiceOnSpan } from '@ordergraph/telemetry';
import type { Registry } from 'prom-client';
import { GraphQLError, GraphQLScalarType, Kind, parse } from 'graphql';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createErrorFormatter } from './format-error.js';
import { createHttpErrorHandler } from './http-errors.js';
import { operationMetricsPlugin } from './operation-metrics.js';
import { requestLogPlugin } from './request-log.js';
import { GRAPHQL_BODY_LIMIT_BYTES, withGraphQLPost } from './graphql-http.js';
import { listen, type RunningServer } from './http-server.js';
import type { Logger } from './logger.js';
import { principalFromAuthorization, type Principal } from './principal.js';

export type Resolvers<Context> = GraphQLResolverMap<Context>;

/** What every subgraph's request context starts from. */
export interface BaseContext {
  readonly principal: Principal | null;
  /** The caller's header, passed on when this subgraph asks another. */
  readonly authorization: string | undefined;
}

export interface SubgraphDefinition<Context extends BaseContext> {
  readonly name: string;
  /** Path of the subgraph's `schema.graphql`. */
  readonly schemaPath: URL;
  readonly resolvers: Resolvers<Context>;
  /** Builds the per-request context: DataLoaders are created here, once per request. */
  createContext(base: BaseContext): Context;
  /** For /readyz: the subgraph's own dependencies answer. */
  isReady(): Promise<boolean>;
}

export interface SubgraphServerOptions {
  readonly host: string;
  readonly port: number;
  readonly jwtKey: Uint8Array;
  readonly log: Logger;
  /** Served at /metrics. */
  readonly metrics?: Registry;
}

/** ISO 8601 timestamps out; resolvers hand it epoch milliseconds or a Date. */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (value) => new Date(typeof value === 'number' || typeof value === 'string' ? Number(value) : (value as Date)).toISOString(),
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (ast) => (ast.kind === Kind.STRING ? parseDateTime(ast.value) : undefined),
});

function parseDateTime(value: unknown): number {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new GraphQLError(`DateTime must be an ISO 8601 string; got ${JSON.stringify(value)}.`);
  return ms;
}

/** Starts one subgraph: its schema at /graphql, /healthz and /readyz, and nothing else. */
export async function startSubgraphServer<Context extends BaseContext>(
  definition: SubgraphDefinition<Context>,
  options: SubgraphServerOptions,
): Promise<RunningServer> {
  const typeDefs = parse(readFileSync(definition.schemaPath, 'utf8'));
  const apollo = new ApolloServer<Context>({
    schema: buildSubgraphSchema({ typeDefs, resolvers: definition.resolvers as GraphQLResolverMap<unknown> }),
    formatError: createErrorFormatter(options.log),
    includeStacktraceInErrorResponses: false,
    // Inline traces are for Apollo's hosted usage reporting, which we do not send: they only cost CPU.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ...(options.metrics ? [operationMetricsPlugin<Context>(options.metrics)] : []),
      requestLogPlugin<Context>(options.log),
    ],
    logger: options.log,
    // closeOnSignal (the process's edge) owns shutdown; Apollo's own SIGTERM handler would stop it a second time, concurrently.
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    const ready = await definition.isReady().catch(() => false);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready' });
  });
  const metrics = options.metrics;
  if (metrics) app.get('/metrics', async (_req, res) => void res.type(metrics.contentType).send(await metrics.metrics()));
  const context = async (req: IncomingMessage) => {
    const authorization = req.headers.authorization;
    const principal = await principalFromAuthorization(authorization, options.jwtKey).catch((error: unknown) => {
      throw withHttpStatus(error, 401);
    });
    return definition.createContext({ principal, authorization });
  };
  app.use(
    '/graphql',
    nameServiceOnSpan(definition.name),
    express.json({ limit: GRAPHQL_BODY_LIMIT_BYTES }),
    expressMiddleware(apollo, { context: ({ req }) => context(req) }),
  );
  app.use(createHttpErrorHandler(options.log));
  const listener = withGraphQLPost(apollo, app, { service: definition.name, path: '/graphql', maxBodyBytes: GRAPHQL_BODY_LIMIT_BYTES, context, log: options.log });
  const running = await listen(listener, options.host, options.port);
  options.log.info({ url: `${running.origin}/graphql` }, `${definition.name} subgraph listening`);
  let closed: Promise<void> | undefined;
  return {
    ...running,
    close: () =>
      (closed ??= (async () => {
        await running.close();
        await apollo.stop();
      })()),
  };
}

function withHttpStatus(error: unknown, status: number): unknown {
  if (error instanceof GraphQLError) {
    return new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status } } });
  }
  return error;
}

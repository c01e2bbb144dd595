import { z } from 'zod';

/**
 * The settings every service shares, read from the environment once at the edge
 * (a service's index.ts, or the all-in-one launcher) and passed down frozen.
 */
export const sharedEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  /** Absent: the embedded stand-in (development only). */
  MYSQL_URL: z.url({ protocol: /^mysql$/ }).optional(),
  /** Each subgraph uses the database `<prefix><name>` on the server; tests use their own prefix. */
  MYSQL_DATABASE_PREFIX: z.string().regex(/^[a-z0-9_]{0,40}$/).default('ordergraph_'),
  /** Connections per subgraph process; MariaDB's default max_connections is 151. */
  MYSQL_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** Prepended to every Redis key, so that several deployments (or test runs) can share one server. */
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{0,40}$/).default(''),
  /** HS256 key shared by the token issuer, the gateway and the subgraphs. */
  JWT_SECRET: z.string().min(16).optional(),
  SUBGRAPH_STORE_URL: z.url().default('http://127.0.0.1:4001/graphql'),
  SUBGRAPH_MENU_URL: z.url().default('http://127.0.0.1:4002/graphql'),
  SUBGRAPH_USER_URL: z.url().default('http://127.0.0.1:4003/graphql'),
  SUBGRAPH_ORDER_URL: z.url().default('http://127.0.0.1:4004/graphql'),
  SUBGRAPH_RIDER_URL: z.url().default('http://127.0.0.1:4005/graphql'),
  /** Budget for one subgraph-to-subgraph call (placing an order reads three services at once); under the gateway's 1 s attempt timeout. */
  PEER_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  /**
   * How long an event another consumer took and left unacknowledged waits before this one
   * takes it over: longer than any apply takes, short enough that a crash costs seconds of lag.
   */
  EVENT_CLAIM_IDLE_MS: z.coerce.number().int().min(10).max(3_600_000).default(30_000),
});

export type SharedEnv = z.infer<typeof sharedEnvSchema>;

/** The dev secret: only outside production, and logged as such, so Sandbox works out of the box. */
export const DEV_JWT_SECRET = 'ordergraph-dev-secret-not-for-production';

export const SUBGRAPH_NAMES = ['store', 'menu', 'user', 'order', 'rider'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

export const DEFAULT_PORTS: Readonly<Record<SubgraphName | 'gateway', number>> = {
  gateway: 4000,
  store: 4001,
  menu: 4002,
  user: 4003,
  order: 4004,
  rider: 4005,
};

export interface SharedConfig {
  readonly production: boolean;
  readonly host: string;
  readonly mysql: { readonly url: string; readonly databasePrefix: string; readonly poolSize: number } | null;
  readonly redisUrl: string | null;
  readonly redisKeyPrefix: string;
  readonly jwtSecret: string;
  readonly subgraphUrls: Readonly<Record<SubgraphName, string>>;
  readonly peerTimeoutMs: number;
  readonly eventClaimIdleMs: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Validates the environment; every problem is listed with the variable's name. */
export function parseEnv<Schema extends z.ZodType>(schema: Schema, env: Record<string, string | undefined>): z.infer<Schema> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  return result.data;
}

export function readSharedConfig(env: Record<string, string | undefined>): SharedConfig {
  const e = parseEnv(sharedEnvSchema, env);
  const production = e.NODE_ENV === 'production';
  if (production && !e.JWT_SECRET) throw new ConfigError('JWT_SECRET must be set when NODE_ENV=production.');
  if (production && !e.MYSQL_URL) throw new ConfigError('MYSQL_URL must be set when NODE_ENV=production: the embedded store is for development.');
  return Object.freeze({
    production,
    host: e.HOST,
    mysql: e.MYSQL_URL ? { url: e.MYSQL_URL, databasePrefix: e.MYSQL_DATABASE_PREFIX, poolSize: e.MYSQL_POOL_SIZE } : null,
    redisUrl: e.REDIS_URL ?? null,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    jwtSecret: e.JWT_SECRET ?? DEV_JWT_SECRET,
    subgraphUrls: Object.freeze({
      store: e.SUBGRAPH_STORE_URL,
      menu: e.SUBGRAPH_MENU_URL,
      user: e.SUBGRAPH_USER_URL,
      order: e.SUBGRAPH_ORDER_URL,
      rider: e.SUBGRAPH_RIDER_URL,
    }),
    peerTimeoutMs: e.PEER_TIMEOUT_MS,
    eventClaimIdleMs: e.EVENT_CLAIM_IDLE_MS,
  });
}

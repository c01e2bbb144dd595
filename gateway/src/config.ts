import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError, DEV_JWT_SECRET, parseEnv } from '@ordergraph/common';
import type { EntityCacheOptions } from './execution/entity-cache.js';
import { resilienceFromEnv, type PerSubgraph, type ResilienceOptions } from './resilience/options.js';

const DEFAULT_SUPERGRAPH_PATH = fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url));

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
  SUPERGRAPH_PATH: z.string().default(DEFAULT_SUPERGRAPH_PATH),
  JWT_SECRET: z.string().min(16).optional(),
  /**
   * The whole request's deadline: every fetch it makes ends by then, retries included.
   * Two fetch levels at the default 1 s attempt timeout fit, with room for one retry.
   */
  REQUEST_DEADLINE_MS: z.coerce.number().int().min(10).max(300_000).default(3_000),
  /**
   * Who runs the query plans: `compiled` (plans and response shapes compiled once per operation)
   * or `apollo` (@apollo/gateway's own executor, which also serves what `compiled` does not).
   */
  GATEWAY_EXECUTOR: z.enum(['compiled', 'apollo']).default('compiled'),
  /**
   * Subgraphs whose entities are the same for every caller (they read no principal), kept at the
   * gateway for ENTITY_CACHE_TTL_MS (here: `store,menu`); empty (the default), or a TTL of 0,
   * keeps none. Never list a subgraph that authorizes or personalizes what it returns. Off by
   * default: with it, a store or menu outage shorter than the TTL no longer shows in order views.
   */
  ENTITY_CACHE_SUBGRAPHS: z.string().default(''),
  /** The most a cached store or menu item may lag behind its subgraph. */
  ENTITY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(3_600_000).default(1_000),
  ENTITY_CACHE_MAX_ENTRIES: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
  /** The order events stream subscriptions are fed from; absent, a standalone gateway serves no subscriptions. */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{0,40}$/).default(''),
  /** Comma-separated origins whose browsers may call /graphql (the merchant dashboard's, say). */
  CORS_ORIGINS: z.string().optional(),
  /** A dashboard watches one store or a few; a page that opens more is leaking subscriptions. */
  SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).max(1_000).default(10),
  /** Per principal and replica: a merchant's dashboard open on every till and tablet of a busy store. */
  CONNECTIONS_PER_PRINCIPAL: z.coerce.number().int().min(1).max(10_000).default(25),
  /**
   * Events one subscription may have waiting to be sent. A board sees a few events a second at
   * lunch peak, so 256 is a minute of backlog: a client that far behind is not reading.
   */
  SUBSCRIPTION_BUFFER_EVENTS: z.coerce.number().int().min(1).max(100_000).default(256),
  /** WebSocket ping interval; a client that does not answer within the same time is dropped. Under common 30–60 s proxy idle timeouts. */
  SUBSCRIPTION_KEEPALIVE_MS: z.coerce.number().int().min(0).max(300_000).default(12_000),
});

/** The development dashboard's origins (clients/merchant-dashboard), allowed outside production unless CORS_ORIGINS says otherwise. */
const DEV_CORS_ORIGINS = ['http://127.0.0.1:4010', 'http://localhost:4010'];

export interface GatewayConfig {
  readonly production: boolean;
  readonly host: string;
  readonly port: number;
  readonly supergraphPath: string;
  readonly jwtSecret: string;
  /** Subgraph name → URL that replaces the supergraph's, from SUBGRAPH_<NAME>_URL. */
  readonly subgraphUrls: Readonly<Record<string, string>>;
  readonly requestDeadlineMs: number;
  readonly executor: 'compiled' | 'apollo';
  /** Null when no entity is cached. */
  readonly entityCache: EntityCacheOptions | null;
  /** Each subgraph's policy chain settings (resilience/options.ts). */
  readonly resilience: PerSubgraph<ResilienceOptions>;
  readonly redis: { readonly url: string; readonly keyPrefix: string } | null;
  readonly corsOrigins: readonly string[];
  readonly subscriptions: SubscriptionLimits;
}

export interface SubscriptionLimits {
  readonly perConnection: number;
  readonly connectionsPerPrincipal: number;
  readonly bufferEvents: number;
  readonly keepAliveMs: number;
}

/** `SUBGRAPH_<NAME>_URL` for any subgraph name the supergraph may hold. */
export function subgraphUrlVariable(name: string): string {
  return `SUBGRAPH_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

function entityCacheOptions(list: string, ttlMs: number, maxEntries: number): EntityCacheOptions | null {
  const subgraphs = list.split(',').map((name) => name.trim()).filter(Boolean);
  return subgraphs.length > 0 && ttlMs > 0 ? Object.freeze({ subgraphs: Object.freeze(subgraphs), ttlMs, maxEntries }) : null;
}

const URL_VARIABLE = /^SUBGRAPH_[A-Z0-9_]+_URL$/;

export function readGatewayConfig(env: Record<string, string | undefined>): GatewayConfig {
  const e = parseEnv(envSchema, env);
  const production = e.NODE_ENV === 'production';
  if (production && !e.JWT_SECRET) throw new ConfigError('JWT_SECRET must be set when NODE_ENV=production.');
  const subgraphUrls: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!URL_VARIABLE.test(key) || !value) continue;
    if (!URL.canParse(value)) throw new ConfigError(`${key} must be a URL; got ${JSON.stringify(value)}.`);
    subgraphUrls[key] = value;
  }
  return Object.freeze({
    production,
    host: e.HOST,
    port: e.PORT,
    supergraphPath: e.SUPERGRAPH_PATH,
    jwtSecret: e.JWT_SECRET ?? DEV_JWT_SECRET,
    subgraphUrls: Object.freeze(subgraphUrls),
    requestDeadlineMs: e.REQUEST_DEADLINE_MS,
    executor: e.GATEWAY_EXECUTOR,
    entityCache: entityCacheOptions(e.ENTITY_CACHE_SUBGRAPHS, e.ENTITY_CACHE_TTL_MS, e.ENTITY_CACHE_MAX_ENTRIES),
    resilience: resilienceFromEnv(env),
    redis: e.REDIS_URL ? Object.freeze({ url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX }) : null,
    corsOrigins: Object.freeze(
      e.CORS_ORIGINS !== undefined ? e.CORS_ORIGINS.split(',').map((origin) => origin.trim()).filter(Boolean) : production ? [] : DEV_CORS_ORIGINS,
    ),
    subscriptions: Object.freeze({
      perConnection: e.SUBSCRIPTIONS_PER_CONNECTION,
      connectionsPerPrincipal: e.CONNECTIONS_PER_PRINCIPAL,
      bufferEvents: e.SUBSCRIPTION_BUFFER_EVENTS,
      keepAliveMs: e.SUBSCRIPTION_KEEPALIVE_MS,
    }),
  });
}

import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError, DEV_JWT_SECRET, parseEnv } from '@ordergraph/common';
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
});

export interface GatewayConfig {
  readonly production: boolean;
  readonly host: string;
  readonly port: number;
  readonly supergraphPath: string;
  readonly jwtSecret: string;
  /** Subgraph name → URL that replaces the supergraph's, from SUBGRAPH_<NAME>_URL. */
  readonly subgraphUrls: Readonly<Record<string, string>>;
  readonly requestDeadlineMs: number;
  /** Each subgraph's policy chain settings (resilience/options.ts). */
  readonly resilience: PerSubgraph<ResilienceOptions>;
}

/** `SUBGRAPH_<NAME>_URL` for any subgraph name the supergraph may hold. */
export function subgraphUrlVariable(name: string): string {
  return `SUBGRAPH_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
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
    resilience: resilienceFromEnv(env),
  });
}

import { z } from 'zod';
import { DEV_JWT_SECRET, parseEnv } from '@ordergraph/common';

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  DASHBOARD_PORT: z.coerce.number().int().min(0).max(65_535).default(4010),
  /** Where the browser sends its operations; the gateway must list the dashboard's origin in CORS_ORIGINS. */
  GATEWAY_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4000/graphql'),
  /** Signs the dev tokens offered outside production; the gateway's secret, or they are refused. */
  JWT_SECRET: z.string().min(16).optional(),
});

export interface DashboardConfig {
  readonly host: string;
  readonly port: number;
  readonly gatewayUrl: string;
  /** Production offers no dev tokens. */
  readonly production: boolean;
  readonly jwtSecret: string;
}

export function readDashboardConfig(env: Record<string, string | undefined>): DashboardConfig {
  const e = parseEnv(envSchema, env);
  return Object.freeze({
    host: e.HOST,
    port: e.DASHBOARD_PORT,
    gatewayUrl: e.GATEWAY_URL,
    production: e.NODE_ENV === 'production',
    // In production the secret signs nothing here (no dev tokens), so it is not required.
    jwtSecret: e.JWT_SECRET ?? DEV_JWT_SECRET,
  });
}

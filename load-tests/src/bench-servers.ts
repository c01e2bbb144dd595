/**
 * The processes a gateway benchmark runs: the subgraphs, and each gateway on them with the
 * same settings. Each is a child process (child-process.ts) so that its CPU time is its own.
 */
import { fileURLToPath } from 'node:url';
import { subgraphUrlVariable } from '@ordergraph/gateway/config';
import { TEST_JWT_SECRET } from '@ordergraph/testkit';
import { ChildServerProcess } from './child-process.js';
import type { GatewayReady } from './gateway-process.js';
import type { SubgraphsReady } from './subgraphs-process.js';

/** Ours, stock @apollo/gateway, and Hive Gateway's runtime. */
export const GATEWAYS = ['ours', 'stock', 'hive'] as const;
export type GatewayName = (typeof GATEWAYS)[number];

const SCRIPTS: Readonly<Record<GatewayName | 'subgraphs', URL>> = {
  subgraphs: new URL('./subgraphs-process.ts', import.meta.url),
  ours: new URL('./gateway-process.ts', import.meta.url),
  stock: new URL('./baseline-gateway.ts', import.meta.url),
  hive: new URL('./hive-gateway.ts', import.meta.url),
};
const SUPERGRAPH_PATH = fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url));

export interface BenchServers {
  readonly subgraphs: ChildServerProcess<SubgraphsReady>;
  readonly gateways: ReadonlyMap<GatewayName, ChildServerProcess<GatewayReady>>;
}

/** Both gateways get the same settings: production mode, the subgraphs' secret, one supergraph file. */
export function gatewayEnv(subgraphUrls: Readonly<Record<string, string>>): Record<string, string> {
  return {
    NODE_ENV: 'production',
    JWT_SECRET: TEST_JWT_SECRET,
    HOST: '127.0.0.1',
    PORT: '0',
    SUPERGRAPH_PATH,
    // Errors show in the tables as counts; LOG_LEVEL=error npm run bench shows them as they happen.
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'silent',
    ...Object.fromEntries(Object.entries(subgraphUrls).map(([name, url]) => [subgraphUrlVariable(name), url])),
  };
}

/** The subgraphs, then the named gateways in front of them. */
export async function startBenchServers(names: readonly GatewayName[]): Promise<BenchServers> {
  const subgraphs = await ChildServerProcess.start<SubgraphsReady>('subgraphs', SCRIPTS.subgraphs, {});
  const env = gatewayEnv(subgraphs.ready.urls);
  const started = await Promise.all(names.map(async (name) => [name, await ChildServerProcess.start<GatewayReady>(name, SCRIPTS[name], env)] as const));
  return { subgraphs, gateways: new Map(started) };
}

import { closeOnSignal, createLogger, readSharedConfig } from '@ordergraph/common';
import { readDashboardConfig, startDashboard } from '@ordergraph/merchant-dashboard';
import { startSystem } from '@ordergraph/system';
import { readTelemetryConfig, startTracing } from '@ordergraph/telemetry';

const env = process.env;
const config = readSharedConfig(env);
const dashboardConfig = readDashboardConfig(env);
// One process, one tracer: the six services' server spans say which is which (ordergraph.service).
const tracing = startTracing(readTelemetryConfig(env), { serviceName: 'ordergraph' });
const log = createLogger('ordergraph');
if (!config.mysql || !config.redisUrl) {
  log.warn(
    { mysql: config.mysql ? 'MYSQL_URL' : 'embedded (SQLite in memory; data is lost on exit)', redis: config.redisUrl ? 'REDIS_URL' : 'in process (event stream, precomputed values and caches in memory; rider locations in the database)' },
    'embedded default: set MYSQL_URL and REDIS_URL to run on real servers',
  );
}
if (!env['JWT_SECRET']) log.warn('JWT_SECRET is not set: using the development secret (npm run token signs with it)');
const ports = Object.fromEntries(
  ['gateway', 'store', 'menu', 'user', 'order', 'rider'].flatMap((name) => {
    const value = env[`${name.toUpperCase()}_PORT`];
    return value ? [[name, Number(value)]] : [];
  }),
);
const system = await startSystem({ config, env, ports, logFor: (name) => log.child({ service: name }) });
// The board talks to the gateway started here, wherever GATEWAY_PORT put it, unless GATEWAY_URL names another.
const dashboard = await startDashboard({
  ...dashboardConfig,
  gatewayUrl: env['GATEWAY_URL'] ? dashboardConfig.gatewayUrl : system.gateway.url,
  log: log.child({ service: 'merchant-dashboard' }),
});
log.info(`ready: ${system.gateway.url} (Apollo Sandbox in a browser; tokens: npm run token -- customer u1), merchant dashboard: ${dashboard.origin}`);
closeOnSignal(log, async () => {
  await dashboard.close();
  await system.close();
  await tracing.shutdown();
});

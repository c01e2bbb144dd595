import { closeOnSignal, createLogger } from '@ordergraph/common';
import { readDashboardConfig } from './config.js';
import { startDashboard } from './server.js';

const config = readDashboardConfig(process.env);
const log = createLogger('merchant-dashboard');
const dashboard = await startDashboard({ ...config, log });
log.info({ gateway: config.gatewayUrl, devTokens: !config.production }, `merchant dashboard: ${dashboard.origin}`);
closeOnSignal(log, () => dashboard.close());

import { closeOnSignal, createLogger } from '@ordergraph/common';
import { readTelemetryConfig, startTracing } from '@ordergraph/telemetry';
import { readGatewayConfig } from './config.js';
import { startGateway } from './server.js';

const tracing = startTracing(readTelemetryConfig(process.env), { serviceName: 'gateway' });
const log = createLogger('gateway');
const gateway = await startGateway(readGatewayConfig(process.env), log);
closeOnSignal(log, async () => {
  await gateway.close();
  await tracing.shutdown();
});

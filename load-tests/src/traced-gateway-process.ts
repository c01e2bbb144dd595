/**
 * Child process of the tracing-overhead benchmark: our gateway with tracing started from the
 * OTEL_* variables exactly as gateway/src/index.ts starts it (startTracing before the gateway,
 * shut down after it), then run as gateway-process.ts runs it. With OTEL_SDK_DISABLED=true or
 * no exporter configured, startTracing installs nothing: the "off" configuration.
 */
import { createLogger } from '@ordergraph/common';
import { startGateway } from '@ordergraph/gateway';
import { readGatewayConfig } from '@ordergraph/gateway/config';
import { readTelemetryConfig, startTracing } from '@ordergraph/telemetry';
import { runAsChild } from './child-process.js';
import type { GatewayReady } from './gateway-process.js';

export interface TracedGatewayReady extends GatewayReady {
  /** Whether startTracing installed a provider and an exporter. */
  readonly tracing: boolean;
}

const tracing = startTracing(readTelemetryConfig(process.env), { serviceName: 'gateway' });

await runAsChild<TracedGatewayReady>(async () => {
  const gateway = await startGateway(readGatewayConfig(process.env), createLogger('gateway'));
  return {
    ready: { url: gateway.url, tracing: tracing.enabled },
    close: async () => {
      await gateway.close();
      await tracing.shutdown();
    },
    endConnections: () => gateway.server.closeAllConnections(),
  };
});

import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { Counter, Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS_S, OPERATION_LABEL, OPERATION_METRIC } from '@ordergraph/telemetry';

/** Operation names are the client's to choose: past this many distinct ones, the rest are counted as "other". */
const MAX_OPERATION_NAMES = 200;

/**
 * Request rate, latency and errors by contract code, per GraphQL operation: an Apollo Server
 * plugin for the gateway and every subgraph, recording into the service's registry.
 */
export function operationMetricsPlugin<Context extends BaseContext>(registry: Registry): ApolloServerPlugin<Context> {
  const duration = new Histogram({
    name: OPERATION_METRIC.duration,
    help: 'GraphQL operations served, seconds, by operation name and type',
    labelNames: [OPERATION_LABEL.name, OPERATION_LABEL.type],
    buckets: LATENCY_BUCKETS_S,
    registers: [registry],
  });
  const errors = new Counter({
    name: OPERATION_METRIC.errors,
    help: 'Errors in GraphQL responses, by operation name and contract code',
    labelNames: [OPERATION_LABEL.name, OPERATION_LABEL.code],
    registers: [registry],
  });
  const names = new Set<string>();
  const label = (name: string | null | undefined) => {
    const value = name || 'anonymous';
    if (names.has(value)) return value;
    if (names.size >= MAX_OPERATION_NAMES) return 'other';
    names.add(value);
    return value;
  };

  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ response, operationName, operation }) {
          const name = label(operationName);
          duration.observe({ [OPERATION_LABEL.name]: name, [OPERATION_LABEL.type]: operation?.operation ?? 'unknown' }, (performance.now() - started) / 1_000);
          if (response.body.kind !== 'single') return;
          for (const error of response.body.singleResult.errors ?? []) {
            errors.inc({ [OPERATION_LABEL.name]: name, [OPERATION_LABEL.code]: String(error.extensions?.['code'] ?? 'UNKNOWN') });
          }
        },
      };
    },
  };
}

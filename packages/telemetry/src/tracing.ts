import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, NodeTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TelemetryConfig, TraceExport } from './config.js';
import { createInstrumentations, patchLoadedModules } from './instrumentations.js';
import { createSampler } from './sampler.js';

export interface TracingOptions {
  /** `service.name`, unless OTEL_SERVICE_NAME names another. */
  readonly serviceName: string;
  /**
   * Where spans go instead of the exporter the config names; tests pass a SimpleSpanProcessor
   * over an InMemorySpanExporter. Given, tracing is on whatever the config says about exporting.
   */
  readonly spanProcessors?: readonly SpanProcessor[];
}

export interface Tracing {
  /** False when no exporter is configured: nothing was installed and nothing is recorded. */
  readonly enabled: boolean;
  /** Exports what is buffered. */
  forceFlush(): Promise<void>;
  /** Exports what is buffered, then stops tracing in this process; the last thing a process closes. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { enabled: false, forceFlush: async () => undefined, shutdown: async () => undefined };

let started: { readonly serviceName: string } | null = null;

/**
 * Starts tracing for this process: a tracer provider registered as the global one (Apollo's
 * gateway and every instrumentation find it there), W3C trace context propagation, the
 * sampler and exporter the config names, and the library instrumentations. Call it once, at
 * the edge: the provider, the propagator and the library patches belong to the process.
 */
export function startTracing(config: TelemetryConfig, options: TracingOptions): Tracing {
  if (started) {
    throw new Error(`startTracing() was already called in this process (for ${started.serviceName}); tracing is process-wide, so call it once, at the edge.`);
  }
  started = { serviceName: options.serviceName };
  const spanProcessors = options.spanProcessors ?? (config.export ? [exportProcessor(config.export)] : []);
  if (spanProcessors.length === 0) return OFF;

  const provider = new NodeTracerProvider({
    resource: defaultResource().merge(
      resourceFromAttributes({ ...config.resourceAttributes, [ATTR_SERVICE_NAME]: config.serviceName ?? options.serviceName }),
    ),
    sampler: createSampler(config.sampler, config.samplerRatio),
    spanProcessors: [...spanProcessors],
  });
  // The default context manager (AsyncLocalStorage) and propagator (W3C traceparent and baggage).
  provider.register();
  const instrumentations = createInstrumentations();
  const unregister = registerInstrumentations({ tracerProvider: provider, instrumentations });
  patchLoadedModules(instrumentations);

  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    forceFlush: () => provider.forceFlush(),
    shutdown: () =>
      (stopped ??= (async () => {
        unregister();
        await provider.shutdown();
      })()),
  };
}

function exportProcessor(target: TraceExport): SpanProcessor {
  switch (target.kind) {
    case 'otlp':
      return new BatchSpanProcessor(new OTLPTraceExporter({ url: target.url }));
    case 'console':
      return new BatchSpanProcessor(new ConsoleSpanExporter());
  }
}

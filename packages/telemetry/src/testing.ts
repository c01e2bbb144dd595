import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { readTelemetryConfig } from './config.js';
import { startTracing, type Tracing } from './tracing.js';

export type { ReadableSpan };

export interface InMemoryTracing {
  readonly tracing: Tracing;
  /** Every span that ended, exported as it ends; `reset()` forgets them. */
  readonly exporter: InMemorySpanExporter;
}

/** Tracing for a test process: the default sampler, every span kept in memory. The test's process-wide startTracing call. */
export function startInMemoryTracing(serviceName = 'test'): InMemoryTracing {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing(readTelemetryConfig({}), { serviceName, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracing, exporter };
}

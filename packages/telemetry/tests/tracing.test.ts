import { describe, expect, it } from 'vitest';
import { SpanKind, trace } from '@opentelemetry/api';
import { readTelemetryConfig } from '../src/config.js';
import { traceLogFields } from '../src/log-fields.js';
import { startTracing } from '../src/tracing.js';
import { startInMemoryTracing } from '../src/testing.js';

const { exporter } = startInMemoryTracing('telemetry-test');

describe('tracing in one process', () => {
  it('refuses to start twice: the provider and the library patches belong to the process', () => {
    expect(() => startTracing(readTelemetryConfig({}), { serviceName: 'again' })).toThrow(
      'startTracing() was already called in this process (for telemetry-test); tracing is process-wide, so call it once, at the edge.',
    );
  });

  it('gives log lines the active span ids, and nothing outside a span', async () => {
    expect(traceLogFields()).toEqual({});
    const tracer = trace.getTracer('test');
    const ids = await tracer.startActiveSpan('request', { kind: SpanKind.SERVER }, async (span) => {
      await Promise.resolve();
      const fields = traceLogFields();
      span.end();
      return { fields, traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
    });
    expect(ids.fields).toEqual({ trace_id: ids.traceId, span_id: ids.spanId });
    expect(exporter.getFinishedSpans().map((s) => s.resource.attributes['service.name'])).toEqual(['telemetry-test']);
  });
});

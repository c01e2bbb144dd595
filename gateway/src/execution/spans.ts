import { trace, SpanStatusCode, type Attributes } from '@opentelemetry/api';

/** The executor's spans carry @apollo/gateway's names (gateway.request, gateway.fetch, …), so dashboards built on them keep working. */
const tracer = trace.getTracer('@ordergraph/gateway');

/**
 * Runs `work` in a child span of the active one, only when that one is recording: an unsampled
 * request (or tracing off) pays for no span and no context switch.
 */
export function inSpan<T>(name: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  if (!trace.getActiveSpan()?.isRecording()) return work();
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** inSpan for synchronous work. */
export function inSpanSync<T>(name: string, work: () => T): T {
  if (!trace.getActiveSpan()?.isRecording()) return work();
  return tracer.startActiveSpan(name, (span) => {
    try {
      return work();
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

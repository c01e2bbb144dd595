import { trace, SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';

/** The executor's spans carry @apollo/gateway's names (gateway.request, gateway.fetch, …), so dashboards built on them keep working. */
const tracer = trace.getTracer('@ordergraph/gateway');

/**
 * Runs `work` in a child span of the active one, ended when `work` returns or, for a promise,
 * settles; only when the active span is recording: an unsampled request (or tracing off) pays
 * for no span and no context switch.
 */
export function inSpan<T>(name: string, attributes: Attributes, work: () => T): T {
  if (!trace.getActiveSpan()?.isRecording()) return work();
  return tracer.startActiveSpan(name, { attributes }, (span) => {
    let result: T;
    try {
      result = work();
    } catch (error) {
      throw failed(span, error);
    }
    if (!(result instanceof Promise)) {
      span.end();
      return result;
    }
    return result.then(
      (value: unknown) => (span.end(), value),
      (error: unknown) => {
        throw failed(span, error);
      },
    ) as T;
  });
}

function failed(span: Span, error: unknown): unknown {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
  return error;
}

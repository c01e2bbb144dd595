import { context, isSpanContextValid, trace } from '@opentelemetry/api';

export interface TraceLogFields {
  readonly trace_id?: string;
  readonly span_id?: string;
}

/**
 * The active span's ids, for a logger's mixin: every line written while a request is served
 * names its trace. Nothing (an empty object) outside a request or with tracing off.
 */
export function traceLogFields(): TraceLogFields {
  const spanContext = trace.getSpanContext(context.active());
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

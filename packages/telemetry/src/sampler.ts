import { SpanKind, trace, type Attributes, type Context, type Link } from '@opentelemetry/api';
import {
  AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, SamplingDecision, TraceIdRatioBasedSampler,
  type Sampler, type SamplingResult,
} from '@opentelemetry/sdk-trace-node';
import type { SamplerName } from './config.js';

/** The sampler OTEL_TRACES_SAMPLER names, behind the rule that traces begin where a request arrives. */
export function createSampler(name: SamplerName, ratio: number): Sampler {
  return new RequestRootSampler(namedSampler(name, ratio));
}

function namedSampler(name: SamplerName, ratio: number): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}

/**
 * Records no trace whose first span is not a request being served or a message being
 * delivered (a subscription event, a CONSUMER span): background work (the outbox relay's
 * polling, event consumers' reads) runs SQL and Redis commands many times a second, and each
 * would otherwise be a one-span trace of its own.
 */
export class RequestRootSampler implements Sampler {
  constructor(private readonly inner: Sampler) {}

  shouldSample(context: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    if (kind !== SpanKind.SERVER && kind !== SpanKind.CONSUMER && !trace.getSpanContext(context)) return { decision: SamplingDecision.NOT_RECORD };
    return this.inner.shouldSample(context, traceId, name, kind, attributes, links);
  }

  toString(): string {
    return `RequestRootSampler{${this.inner.toString()}}`;
  }
}

import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-node';
import { createSampler } from '../src/sampler.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const sampledParent = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true });

describe('the sampler', () => {
  const sampler = createSampler('parentbased_always_on', 1);
  const decide = (context: typeof ROOT_CONTEXT, kind: SpanKind) => sampler.shouldSample(context, TRACE_ID, 'span', kind, {}, []).decision;

  it('starts a trace where a request arrives (a server span without a parent)', () => {
    expect(decide(ROOT_CONTEXT, SpanKind.SERVER)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('starts a trace where a message is delivered (a consumer span without a parent: a subscription event)', () => {
    expect(decide(ROOT_CONTEXT, SpanKind.CONSUMER)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('records no trace that background work would start (a statement or command outside any request)', () => {
    expect(decide(ROOT_CONTEXT, SpanKind.CLIENT)).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(ROOT_CONTEXT, SpanKind.INTERNAL)).toBe(SamplingDecision.NOT_RECORD);
  });

  it('follows the parent inside a request', () => {
    expect(decide(sampledParent, SpanKind.CLIENT)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('keeps what OTEL_TRACES_SAMPLER says: always_off records nothing, even at a request', () => {
    expect(createSampler('always_off', 1).shouldSample(ROOT_CONTEXT, TRACE_ID, 'span', SpanKind.SERVER, {}, []).decision).toBe(SamplingDecision.NOT_RECORD);
  });
});

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, propagation, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayContext } from './context.js';
import { DEFAULT_RESILIENCE } from './resilience/options.js';
import { SubgraphSource } from './subgraph-source.js';
import { GatewayMetrics } from './telemetry/metrics.js';

/** What a subgraph receives from the gateway's client: a real HTTP server records each request. */
let server: Server;
const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
let source: SubgraphSource;

beforeAll(async () => {
  // What the tracing SDK registers: a context that follows async calls, and W3C trace context.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { ok: true } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  source = new SubgraphSource({ name: 'store', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, resilience: DEFAULT_RESILIENCE, metrics: new GatewayMetrics() });
});
afterAll(async () => {
  await source?.close();
  await new Promise((resolve) => server?.close(resolve));
  propagation.disable();
  context.disable();
});

const fetchOnce = (operationName?: string, variables?: Record<string, unknown>) =>
  source.process({
    request: { query: 'query Q__store__0 { ok }', operationName, variables },
    context: { principal: null, authorization: 'Bearer t', deadline: AbortSignal.timeout(5_000) },
  } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>);

describe('SubgraphSource', () => {
  it('sends the query, operation name and variables as JSON with the caller token, and answers what the subgraph said', async () => {
    received.length = 0;
    expect(await fetchOnce('Q__store__0', { id: 's1' })).toEqual({ data: { ok: true } });
    expect(await fetchOnce(undefined, undefined)).toEqual({ data: { ok: true } });
    expect(received.map(({ body }) => JSON.parse(body))).toEqual([
      { query: 'query Q__store__0 { ok }', operationName: 'Q__store__0', variables: { id: 's1' } },
      { query: 'query Q__store__0 { ok }' },
    ]);
    expect(received[0]!.headers.authorization).toBe('Bearer t');
  });

  it("passes an unsampled request's trace context on, so that the subgraph does not sample it either, and none when tracing is off", async () => {
    received.length = 0;
    const unsampled = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.NONE });
    await context.with(trace.setSpan(context.active(), unsampled), () => fetchOnce('Q__store__0'));
    await fetchOnce('Q__store__0');
    expect(received[0]!.headers.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00');
    expect(received[1]!.headers.traceparent).toBeUndefined();
  });
});

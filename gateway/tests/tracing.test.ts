import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { createLogger, readSharedConfig, World } from '@ordergraph/common';
import { startSystem, type RunningSystem } from '@ordergraph/system';
import { SPAN, SPAN_ATTR } from '@ordergraph/telemetry';
import { startInMemoryTracing, type ReadableSpan } from '@ordergraph/telemetry/testing';
import {
  connectSubscriptions, contractOperation, customer, dropPrefix, merchant, openStore, placeOrderAt, errorCodes, graphql, startFaultProxy, startTestSystem, TEST_JWT_SECRET, TEST_MYSQL_URL,
  TEST_REDIS_URL, TEST_WORLD, tokenFor, uniquePrefix, type FaultProxy, type TestSystem,
} from '@ordergraph/testkit';
import { request } from 'undici';

/**
 * The whole system runs in this process, so one in-memory exporter sees the gateway's spans
 * and every subgraph's. Started once, before any system: tracing belongs to the process.
 */
const { exporter } = startInMemoryTracing();

const SUBGRAPHS = ['store', 'menu', 'user', 'order', 'rider'] as const;
const MY_ORDERS = contractOperation('MyOrders');

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const serviceOf = (span: ReadableSpan) => span.attributes[SPAN_ATTR.service];

/** The spans of the trace `traceId`, once the gateway's HTTP server span (the last to end) is among them. */
async function traceOf(traceId: string): Promise<ReadableSpan[]> {
  return vi.waitFor(() => {
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    expect(spans.some((s) => s.kind === SpanKind.SERVER && serviceOf(s) === 'gateway')).toBe(true);
    return spans;
  });
}

/** The nearest HTTP server span above `span` (itself included): which service ran it. */
function servingSpan(span: ReadableSpan, spans: readonly ReadableSpan[]): ReadableSpan | undefined {
  for (let at: ReadableSpan | undefined = span; at; at = spans.find((s) => idOf(s) === parentOf(at!))) {
    if (at.kind === SpanKind.SERVER) return at;
  }
  return undefined;
}

describe('one client request is one trace across the gateway and the subgraphs', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ proxied: ['menu'] });
  });
  afterAll(async () => {
    await system?.close();
  });

  it('MyOrders: one trace, rooted at the gateway, with spans from all five subgraphs, MySQL and Redis under subgraph spans, every parent present', async () => {
    // Warm the caches and pools first, so that the measured request is an ordinary one.
    await graphql(system.url, MY_ORDERS, { first: 10 }, { principal: customer('u7') });
    exporter.reset();

    const result = await graphql(system.url, MY_ORDERS, { first: 10 }, { principal: customer('u7') });
    expect(result.errors).toBeUndefined();

    const root = await vi.waitFor(() => {
      const gatewaySpan = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER && serviceOf(s) === 'gateway');
      if (!gatewaySpan) throw new Error("the gateway's server span has not ended yet");
      return gatewaySpan;
    });
    const spans = await traceOf(root.spanContext().traceId);
    expect(new Set(exporter.getFinishedSpans().map((s) => s.spanContext().traceId)).size, 'traces').toBe(1);

    const roots = spans.filter((s) => !parentOf(s));
    expect(roots.map((s) => [s.kind, serviceOf(s)])).toEqual([[SpanKind.SERVER, 'gateway']]);
    // Every service's server span names its route.
    for (const served of spans.filter((s) => s.kind === SpanKind.SERVER)) {
      expect([served.name, served.attributes['http.route']]).toEqual(['POST /graphql', '/graphql']);
    }
    for (const span of spans.filter((s) => parentOf(s))) {
      expect(spans.some((p) => idOf(p) === parentOf(span)), `parent of ${span.name} is in the trace`).toBe(true);
    }

    const names = new Set(spans.map((s) => s.name));
    // Apollo's own spans (gateway.plan too, on a request whose plan is not cached yet).
    for (const name of ['gateway.request', 'gateway.validate', 'gateway.execute', 'gateway.fetch', 'gateway.postprocessing']) expect(names).toContain(name);
    for (const subgraph of SUBGRAPHS) {
      const fetches = spans.filter((s) => s.name === `subgraph ${subgraph}` && s.kind === SpanKind.CLIENT);
      expect(fetches.length, `fetches from ${subgraph}`).toBeGreaterThan(0);
      // The subgraph's server span continues the fetch's trace: the traceparent went across.
      const served = spans.filter((s) => s.kind === SpanKind.SERVER && serviceOf(s) === subgraph);
      expect(served.some((s) => fetches.some((f) => idOf(f) === parentOf(s))), `${subgraph} served a gateway fetch`).toBe(true);
    }

    const mysql = spans.filter((s) => s.instrumentationScope.name === '@opentelemetry/instrumentation-mysql2');
    const redis = spans.filter((s) => s.instrumentationScope.name === '@opentelemetry/instrumentation-ioredis');
    expect(mysql.length).toBeGreaterThan(0);
    expect(redis.length).toBeGreaterThan(0);
    for (const span of [...mysql, ...redis]) {
      expect(SUBGRAPHS as readonly unknown[], `${span.name} runs in a subgraph`).toContain(serviceOf(servingSpan(span, spans)!));
    }
    // Statements are recorded as written, with `?` placeholders: no bound value (ids, phone numbers) reaches a trace.
    for (const span of mysql) expect(String(span.attributes['db.query.text'])).not.toMatch(/'u7'/);
  });

  it('/metrics parses as Prometheus text, with latency buckets per subgraph, and counts the errors of a subgraph answering 503 by subgraph and code', async () => {
    for (let i = 0; i < 3; i++) await graphql(system.url, MY_ORDERS, { first: 10 }, { principal: customer('u7') });
    await system.proxies.menu!.set({ kind: 'status', status: 503 });
    exporter.reset();
    try {
      const result = await graphql(system.url, MY_ORDERS, { first: 10 }, { principal: customer('u7') });
      expect(errorCodes(result)).toContain('SUBGRAPH_UNAVAILABLE');
    } finally {
      await system.proxies.menu!.set({ kind: 'pass' });
    }
    // The failed fetch is in the trace too, marked as failed with the contract's code.
    const menuFetches = exporter.getFinishedSpans().filter((s) => s.name === 'subgraph menu');
    expect(menuFetches.map((s) => [s.status.code, s.attributes[SPAN_ATTR.errorCode]])).toContainEqual([SpanStatusCode.ERROR, 'SUBGRAPH_UNAVAILABLE']);

    const response = await request(`${system.gateway.origin}/metrics`);
    expect(response.statusCode).toBe(200);
    const samples = parsePrometheusText(await response.body.text());
    const buckets = samples.filter((s) => s.name === 'http_client_request_duration_seconds_bucket');
    for (const subgraph of SUBGRAPHS) {
      expect(buckets.some((s) => s.labels['subgraph'] === subgraph && s.labels['le'] === '+Inf' && s.value > 0), `${subgraph} latency buckets`).toBe(true);
    }
    expect(buckets.some((s) => s.labels['subgraph'] === 'menu' && s.labels['http_response_status_code'] === '503' && s.labels['le'] === '+Inf' && s.value > 0)).toBe(true);
    const errors = samples.filter((s) => s.name === 'ordergraph_subgraph_errors_total');
    expect(errors.find((s) => s.labels['subgraph'] === 'menu' && s.labels['code'] === 'SUBGRAPH_UNAVAILABLE')?.value).toBeGreaterThanOrEqual(1);
  });

  it('a subscription event: one trace per event, rooted at its resolution span, with the federated fetches and the subgraphs under it', async () => {
    const store = openStore(5);
    const client = await connectSubscriptions(system.url, merchant(`m${store.index}`, store.id));
    try {
      const board = client.subscribe(contractOperation('StoreOrderEvents'), { storeId: store.id });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await placeOrderAt(system.url, store, customer('u17'));
      const [placed] = await board.waitFor(1);
      const streamId = placed!.result.extensions!.streamId;
      const root = await vi.waitFor(() => {
        const span = exporter.getFinishedSpans().find((s) => s.name === SPAN.subscriptionEvent('storeOrderEvents') && s.attributes[SPAN_ATTR.streamId] === streamId);
        expect(span).toBeDefined();
        return span!;
      });
      expect(parentOf(root)).toBeUndefined();
      const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === root.spanContext().traceId);
      const served = new Set(spans.filter((s) => s.kind === SpanKind.SERVER).map(serviceOf));
      for (const subgraph of ['order', 'user', 'menu']) expect(served).toContain(subgraph);
      for (const span of spans) if (span !== root) expect(spans.map(idOf)).toContain(parentOf(span));
    } finally {
      await client.close();
    }
  });
});

describe('log lines name the trace of the request they were written for', () => {
  const lines: Array<Record<string, unknown>> = [];
  let system: RunningSystem | undefined;
  let redisProxy: FaultProxy | undefined;
  const prefix = uniquePrefix();
  beforeAll(async () => {
    // startTestSystem's loggers write to stdout; these write to `lines`, on a system otherwise alike.
    redisProxy = await startFaultProxy(TEST_REDIS_URL);
    const env = {
      NODE_ENV: 'test', HOST: '127.0.0.1', JWT_SECRET: TEST_JWT_SECRET, MYSQL_POOL_SIZE: '5', MYSQL_URL: TEST_MYSQL_URL,
      MYSQL_DATABASE_PREFIX: prefix, REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`, REDIS_KEY_PREFIX: prefix,
    };
    const capture = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    system = await startSystem({
      config: readSharedConfig(env),
      env,
      // debug: the request lines too.
      logFor: (name) => createLogger(name, 'debug', capture),
      ports: { gateway: 0, store: 0, menu: 0, user: 0, order: 0, rider: 0 },
      route: (_name, listening) => listening,
      world: new World(TEST_WORLD),
    });
  });
  afterAll(async () => {
    await redisProxy?.set({ kind: 'pass' });
    await system?.close();
    await redisProxy?.close();
    await dropPrefix(prefix);
  });

  it('Redis is down: the warnings the user subgraph writes while serving MyOrders, and every service\'s request line, carry the trace id the caller sent, its call to order stays in that trace, and no token is written', async () => {
    const traceId = randomBytes(16).toString('hex');
    const token = await tokenFor(customer('u7'));
    await redisProxy!.set({ kind: 'refuse' });
    try {
      const response = await request(system!.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
        body: JSON.stringify({ query: MY_ORDERS, variables: { first: 10 } }),
      });
      expect(response.statusCode).toBe(200);
      // Rider locations live in Redis only, so those fields fail; the rest of the view is served.
      expect(((await response.body.json()) as { data?: { me?: { id?: string } } }).data?.me?.id).toBe('u7');
    } finally {
      await redisProxy!.set({ kind: 'pass' });
    }

    const written = lines.filter((line) => line['trace_id'] === traceId);
    expect(written.filter((line) => line['name'] === 'user' && line['level'] === 40).length).toBeGreaterThan(0);
    for (const line of written) expect(line['span_id']).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(lines)).not.toContain(token);
    // Each service's debug request line is in the trace: the gateway's names the client's operation.
    const requests = written.filter((line) => line['msg'] === 'graphql request');
    expect(requests.find((line) => line['name'] === 'gateway')).toMatchObject({ operation: 'MyOrders', type: 'query', status: 200 });
    expect(new Set(requests.map((line) => line['name']))).toEqual(new Set(['gateway', 'store', 'menu', 'user', 'order', 'rider']));

    // The user subgraph computed the values Redis could not give from the order subgraph, in the same trace.
    const spans = await traceOf(traceId);
    const peerCalls = spans.filter((s) => s.instrumentationScope.name === '@opentelemetry/instrumentation-undici');
    expect(spans.some((s) => s.kind === SpanKind.SERVER && serviceOf(s) === 'order' && peerCalls.some((p) => idOf(p) === parentOf(s)))).toBe(true);
  });
});

describe('log lines keep secrets out', () => {
  it('redacts the authorization header, phone numbers, and the values a failed SQL statement or Redis command carries', () => {
    const written: string[] = [];
    const log = createLogger('test', 'info', new Writable({ write: (chunk, _encoding, done) => (written.push(String(chunk)), done()) }));
    const phone = '+86 138 0013 8000';
    log.warn({ headers: { authorization: 'Bearer secret-token' }, user: { phone } }, 'request');
    log.error({ err: Object.assign(new Error('duplicate key'), { sql: `INSERT INTO users (phone) VALUES ('${phone}')` }) }, 'statement failed');
    log.error({ err: Object.assign(new Error('READONLY'), { command: { name: 'hset', args: ['user:u7', 'phone', phone] } }) }, 'command failed');
    expect(written).toHaveLength(3);
    expect(written.join('')).not.toContain('secret-token');
    expect(written.join('')).not.toContain(phone);
  });
});

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;
const COMMENT_LINE = /^# (?:HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))$/;

/** Prometheus text format 0.0.4: every line a comment, a HELP or TYPE line, or a sample of a declared family; throws on the first that is not. */
function parsePrometheusText(text: string): Sample[] {
  const families = new Set<string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const comment = COMMENT_LINE.exec(line);
      if (!comment) throw new Error(`not a Prometheus HELP or TYPE line: ${JSON.stringify(line)}`);
      if (comment[1]) families.add(comment[1]);
      continue;
    }
    const sample = SAMPLE_LINE.exec(line);
    if (!sample) throw new Error(`not a Prometheus sample line: ${JSON.stringify(line)}`);
    const [, name, rawLabels = '', rawValue] = sample as unknown as [string, string, string | undefined, string];
    const family = name.replace(/_(bucket|sum|count)$/, '');
    if (!families.has(name) && !families.has(family)) throw new Error(`sample of an undeclared metric: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    LABEL_PAIR.lastIndex = 0;
    while (LABEL_PAIR.lastIndex < rawLabels.length) {
      const pair = LABEL_PAIR.exec(rawLabels);
      if (!pair) throw new Error(`unreadable labels in ${JSON.stringify(line)}`);
      labels[pair[1]!] = pair[2]!;
    }
    const value = rawValue === '+Inf' ? Infinity : rawValue === '-Inf' ? -Infinity : Number(rawValue);
    if (Number.isNaN(value) && rawValue !== 'NaN') throw new Error(`not a number in ${JSON.stringify(line)}`);
    samples.push({ name, labels, value });
  }
  return samples;
}

import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { context, INVALID_SPAN_CONTEXT, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from '@opentelemetry/semantic-conventions';
import { LABEL, SPAN, SPAN_ATTR } from '@ordergraph/telemetry';
import { TaskCancelledError } from 'cockatiel';
import { LRUCache } from 'lru-cache';
import { Agent } from 'undici';
import type { GatewayContext } from './context.js';
import { post, type PostTarget } from './http-post.js';
import { SubgraphHttpError, toSubgraphError } from './resilience/faults.js';
import { InFlightDeduplicator } from './resilience/dedupe.js';
import type { ResilienceOptions } from './resilience/options.js';
import { createSubgraphPolicy, type FetchKind, type SubgraphPolicy } from './resilience/policy.js';
import type { GatewayMetrics } from './telemetry/metrics.js';

/** The gateway's spans, under the active one (Apollo's gateway.fetch); a no-op while tracing is off. */
const tracer = trace.getTracer('@ordergraph/gateway');
const NO_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

export interface SubgraphSourceOptions {
  readonly name: string;
  readonly url: string;
  readonly resilience: ResilienceOptions;
  readonly metrics: GatewayMetrics;
}

/**
 * The gateway's client for one subgraph: its own bounded keep-alive pool, its policy chain
 * (see resilience/policy.ts), identical concurrent query fetches joined into one, the
 * caller's token passed on (each subgraph authorizes what it owns), and every failure turned
 * into the contract's SUBGRAPH_* error naming the subgraph and nothing else about it.
 */
export class SubgraphSource implements GraphQLDataSource<GatewayContext> {
  readonly name: string;
  readonly policy: SubgraphPolicy;
  /** Null for a URL that does not parse: every fetch fails, as requesting it would. */
  private readonly target: PostTarget | null;
  private readonly agent: Agent;
  private readonly dedupe = new InFlightDeduplicator<string>();
  private readonly metrics: GatewayMetrics;
  private readonly spanAttributes: Readonly<Record<string, string | number>>;
  private readonly bodyHeads = new LRUCache<string, { readonly operationName: string | undefined; readonly json: string }>({ max: 5_000 });
  private readonly durations = new Map<string, ReturnType<GatewayMetrics['subgraphDuration']['labels']>>();

  constructor(options: SubgraphSourceOptions) {
    this.name = options.name;
    this.target = postTarget(options.url);
    this.spanAttributes = { [SPAN_ATTR.subgraph]: options.name, [ATTR_HTTP_REQUEST_METHOD]: 'POST', ...serverAttributes(options.url) };
    this.metrics = options.metrics;
    this.agent = new Agent({ connections: options.resilience.connections, keepAliveTimeout: 30_000, pipelining: 1 });
    this.policy = createSubgraphPolicy(options.name, options.resilience, options.metrics.policyEvents);
    options.metrics.watchPolicy(options.name, this.policy);
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { request: graphqlRequest, context: gatewayContext } = options;
    const query = graphqlRequest.query ?? '';
    const kind: FetchKind = /^\s*mutation\b/.test(query) ? 'mutation' : 'query';
    const body = this.bodyOf(query, graphqlRequest.operationName, graphqlRequest.variables);
    const authorization: string | undefined = gatewayContext.authorization;
    const deadline: AbortSignal = gatewayContext.deadline ?? AbortSignal.timeout(60_000);
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) };
    // The subgraph continues this fetch's trace, sampled or not: every attempt carries its traceparent.
    // A span of our own only when the request is sampled; with tracing off, nothing at all.
    let span: Span = NO_SPAN;
    const parent = trace.getActiveSpan();
    if (parent?.isRecording()) {
      span = tracer.startSpan(SPAN.subgraphFetch(this.name), {
        kind: SpanKind.CLIENT,
        attributes: { ...this.spanAttributes, [SPAN_ATTR.fetchKind]: kind },
      });
      propagation.inject(trace.setSpan(context.active(), span), headers);
    } else if (parent) {
      propagation.inject(context.active(), headers);
    }
    const send = () => this.policy.execute(kind, (signal) => this.post(body, headers, signal, span), deadline);
    try {
      let text: Promise<string>;
      if (kind === 'mutation') {
        text = send();
      } else {
        // Per caller: the key holds the token, so that no principal ever gets another's answer.
        const { result, joined } = this.dedupe.run(`${authorization ?? ''}\n${body}`, send);
        if (joined) this.metrics.dedupJoined.inc({ [LABEL.subgraph]: this.name });
        span.setAttribute(SPAN_ATTR.dedupJoined, joined);
        text = result;
      }
      return JSON.parse(await text) as GatewayGraphQLResponse;
    } catch (error) {
      const failure = toSubgraphError(this.name, error);
      const code = String(failure.extensions['code']);
      this.metrics.subgraphErrors.inc({ [LABEL.subgraph]: this.name, [LABEL.code]: code });
      span.setAttribute(SPAN_ATTR.errorCode, code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
      throw failure;
    } finally {
      span.end();
    }
  }

  /** One HTTP attempt. A 5xx is a fault of the subgraph; a 4xx body is a GraphQL answer and passes through. */
  private async post(body: string, headers: Record<string, string>, signal: AbortSignal, span: Span): Promise<string> {
    const started = performance.now();
    let status = 'error';
    try {
      if (!this.target) throw new Error(`${this.name}: the subgraph URL does not parse`);
      const response = await post(this.agent, this.target, headers, body, signal);
      status = String(response.statusCode);
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.statusCode);
      if (response.statusCode >= 500) throw new SubgraphHttpError(response.statusCode);
      return response.body;
    } catch (error) {
      // The attempt's deadline aborted it: say so, rather than whatever the HTTP client calls an abort.
      if (signal.aborted && !(error instanceof SubgraphHttpError)) throw new TaskCancelledError('subgraph attempt timed out');
      throw error;
    } finally {
      this.durationOf(status).observe((performance.now() - started) / 1_000);
    }
  }

  /**
   * The request body, `{"query":…,"operationName":…,"variables":…}`: the same few plan operations
   * go out again and again, so their JSON is kept and only the variables are written per fetch.
   */
  private bodyOf(query: string, operationName: string | undefined, variables: Record<string, unknown> | undefined): string {
    // Keyed by the query alone (a plan's operation string is the same object every time, its hash kept);
    // the operation name is checked, not hashed.
    let head = this.bodyHeads.get(query);
    if (!head || head.operationName !== operationName) {
      head = { operationName, json: JSON.stringify({ query, operationName }).slice(0, -1) };
      this.bodyHeads.set(query, head);
    }
    return variables === undefined ? `${head.json}}` : `${head.json},"variables":${JSON.stringify(variables)}}`;
  }

  /** The duration histogram's series for one status, looked up once rather than hashed from labels on every attempt. */
  private durationOf(status: string) {
    let series = this.durations.get(status);
    if (!series) this.durations.set(status, (series = this.metrics.subgraphDuration.labels({ [LABEL.subgraph]: this.name, [LABEL.status]: status })));
    return series;
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

function postTarget(url: string): PostTarget | null {
  if (!URL.canParse(url)) return null;
  const parsed = new URL(url);
  return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

/** OTel's server.address and server.port of a subgraph URL; none for one that does not parse (that fetch fails on its own). */
function serverAttributes(url: string): Record<string, string | number> {
  if (!URL.canParse(url)) return {};
  const { hostname, port, protocol } = new URL(url);
  return { [ATTR_SERVER_ADDRESS]: hostname, [ATTR_SERVER_PORT]: Number(port || (protocol === 'https:' ? 443 : 80)) };
}

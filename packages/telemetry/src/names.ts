/**
 * Every metric, label, span and span attribute name the gateway and the subgraphs export, in
 * one place. Where OpenTelemetry's semantic conventions name the measurement
 * (http.client.request.duration), the Prometheus form of that name is used, and standard
 * span attributes come from @opentelemetry/semantic-conventions; the rest are ours and say so
 * with the `ordergraph` prefix.
 */
export const METRIC = {
  /** Per subgraph: one HTTP attempt, from sending to the last byte (OTel http.client.request.duration). */
  subgraphRequestDuration: 'http_client_request_duration_seconds',
  /** Per subgraph and contract code: fetches that ended in a SUBGRAPH_* error. */
  subgraphErrors: 'ordergraph_subgraph_errors_total',
  subgraphRetries: 'ordergraph_subgraph_retries_total',
  subgraphDedupJoined: 'ordergraph_subgraph_dedup_joined_total',
  bulkheadInFlight: 'ordergraph_subgraph_bulkhead_in_flight',
  bulkheadQueued: 'ordergraph_subgraph_bulkhead_queued',
  bulkheadRejected: 'ordergraph_subgraph_bulkhead_rejected_total',
  /** 0 closed, 1 half-open, 2 open. */
  breakerState: 'ordergraph_subgraph_circuit_state',
  breakerTransitions: 'ordergraph_subgraph_circuit_transitions_total',
  /** Distinct operations planned, by the executor that runs them (compiled, or apollo for what it does not run). */
  operationsPlanned: 'ordergraph_gateway_operations_planned_total',
} as const;

/** Metric names the subgraphs export. */
export const PRECOMPUTED_METRIC = {
  /** Labelled result: hit, fill, fallback. */
  reads: 'ordergraph_precomputed_reads_total',
} as const;

/** Per GraphQL operation, at the gateway and at each subgraph. */
export const OPERATION_METRIC = {
  /** Every operation served, by name and type (OTel http.server.request.duration, per GraphQL operation): its count is the request rate. */
  duration: 'graphql_server_operation_duration_seconds',
  /** Errors in responses, by operation and contract code. */
  errors: 'ordergraph_operation_errors_total',
} as const;

export const OPERATION_LABEL = {
  name: 'graphql_operation_name',
  type: 'graphql_operation_type',
  code: 'code',
} as const;

/** Caches and event consumers, at the subgraphs. */
export const CACHE_METRIC = {
  /** Labelled cache (profile) and result (hit, miss, error). */
  reads: 'ordergraph_cache_reads_total',
} as const;

export const EVENT_METRIC = {
  /** From an event's commit to its consumer applying it, by consumer group. */
  consumerLag: 'ordergraph_event_consumer_lag_seconds',
} as const;

/** Subscriptions at the gateway. */
export const SUBSCRIPTION_METRIC = {
  /** Open WebSocket connections that passed connection_init. */
  connections: 'ordergraph_subscription_connections',
  /** Active subscriptions, by field. */
  active: 'ordergraph_subscriptions',
  /** Events handed to subscribers, by field. */
  delivered: 'ordergraph_subscription_events_total',
  /** From an event's commit to its hand-off to the subscriber's socket, by field. */
  deliveryLag: 'ordergraph_subscription_delivery_lag_seconds',
  /** Connections the gateway closed, by reason (unauthenticated, token_expired, too_many_connections, slow_consumer). */
  closed: 'ordergraph_subscription_connections_closed_total',
  /** Subscriptions refused at subscribe, by contract code. */
  refused: 'ordergraph_subscriptions_refused_total',
} as const;

export const LABEL = {
  subgraph: 'subgraph',
  code: 'code',
  /** HTTP status of the attempt, or "error" when none came back (OTel http.response.status_code). */
  status: 'http_response_status_code',
  state: 'state',
  field: 'graphql_field_name',
  reason: 'reason',
  executor: 'executor',
} as const;

export const BREAKER_STATE_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

/** Latency buckets in seconds: fine below 100 ms, where the seeds' 40 ms query bar lives, coarse above. */
export const LATENCY_BUCKETS_S = [
  0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10,
];

/** Spans we start ourselves; the HTTP, MySQL, Redis and Apollo gateway spans are named by their instrumentations. */
export const SPAN = {
  /** The gateway's fetch from one subgraph, retries included (a CLIENT span). */
  subgraphFetch: (subgraph: string) => `subgraph ${subgraph}`,
  /** Resolving one stream event's payload for a subscription field (a CONSUMER span, the root of its trace; the federated fetches are its children). */
  subscriptionEvent: (field: string) => `subscription event ${field}`,
} as const;

export const SPAN_ATTR = {
  /**
   * The service that served a request, on its HTTP server span: the all-in-one process
   * (npm start, the tests) runs six services under one resource `service.name`.
   */
  service: 'ordergraph.service',
  subgraph: 'ordergraph.subgraph.name',
  /** query or mutation: only queries are retried and joined. */
  fetchKind: 'ordergraph.subgraph.fetch_kind',
  /** True when the fetch joined an identical one in flight and sent nothing itself. */
  dedupJoined: 'ordergraph.subgraph.dedup_joined',
  /** The contract's SUBGRAPH_* code a failed fetch ended with. */
  errorCode: 'ordergraph.error.code',
  /** The order events stream id a subscription event span resolves. */
  streamId: 'ordergraph.event.stream_id',
  eventType: 'ordergraph.event.type',
} as const;

/** Paths whose requests start no trace: probes and scrapes, polled every few seconds. */
export const UNTRACED_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

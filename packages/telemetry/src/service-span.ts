import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import { SPAN_ATTR } from './names.js';

/**
 * Express middleware naming the service and the route on the request's HTTP server span (found
 * through the RPC metadata the HTTP instrumentation leaves in the context; with the route there
 * the span is named `POST /graphql` and carries http.route). One process may serve several
 * services under one `service.name`: npm start and the tests run all six together.
 */
export function nameServiceOnSpan(service: string): (req: { baseUrl?: string }, res: unknown, next: () => void) => void {
  return function nameService(req, _res, next) {
    nameServiceOnRequestSpan(service, req.baseUrl);
    next();
  };
}

/** The same, called while serving a request outside Express (common's withGraphQLPost). */
export function nameServiceOnRequestSpan(service: string, route: string | undefined): void {
  const rpc = getRPCMetadata(context.active());
  if (rpc?.type === RPCType.HTTP) {
    rpc.span?.setAttribute(SPAN_ATTR.service, service);
    if (route) rpc.route = route;
  }
}

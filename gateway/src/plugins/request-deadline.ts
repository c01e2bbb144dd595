import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';

/**
 * A request's deadline, as a signal its subgraph fetches share, whose timer is stopped when the
 * response is sent. AbortSignal.timeout would fire for every request long after it was answered,
 * building a TimeoutError with its stack each time.
 */
export function requestDeadline(ms: number): Pick<GatewayContext, 'deadline' | 'endDeadline'> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The request deadline passed.', 'TimeoutError')), ms);
  timer.unref();
  return { deadline: controller.signal, endDeadline: () => clearTimeout(timer) };
}

/** Ends each request's deadline timer as its response goes out. */
export function requestDeadlinePlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue }) {
          contextValue.endDeadline?.();
        },
      };
    },
  };
}

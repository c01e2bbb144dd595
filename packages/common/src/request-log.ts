import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Logger } from './logger.js';

/**
 * One debug line per GraphQL request: operation, type, duration, HTTP status and the contract
 * codes of its errors. Written while the request's span is current, so the line carries its
 * trace and span ids. At info and above the plugin does nothing per request.
 */
export function requestLogPlugin<Context extends BaseContext>(log: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      if (!log.isLevelEnabled('debug')) return;
      const started = performance.now();
      return {
        async willSendResponse({ response, operationName, operation }) {
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          log.debug(
            {
              operation: operationName ?? null,
              type: operation?.operation ?? null,
              durationMs: Math.round((performance.now() - started) * 10) / 10,
              status: response.http.status ?? 200,
              ...(errors.length > 0 ? { errorCodes: errors.map((error) => String(error.extensions?.['code'] ?? 'UNKNOWN')) } : {}),
            },
            'graphql request',
          );
        },
      };
    },
  };
}

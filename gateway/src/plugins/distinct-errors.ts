import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';

/**
 * The same failure reported by two subgraphs that share a field (say `me` without a token,
 * refused by both user and order) is one error to the client: same code, message and path.
 */
export function distinctErrorsPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          const seen = new Set<string>();
          response.body.singleResult.errors = response.body.singleResult.errors.filter((error) => {
            const key = JSON.stringify([error.message, error.path, error.extensions?.['code'], error.extensions?.['subgraph']]);
            if (seen.has(key)) return false;
            seen.add(key);
            return true;
          });
        },
      };
    },
  };
}

// How the page talks to the gateway: the contract's merchant-dashboard operations, sent word
// for word (shared/contract/operations/merchant-dashboard/*.graphql; a test compares them),
// over HTTP POST, and the live board over graphql-transport-ws, resumed after a drop.
import { createClient } from './vendor/graphql-ws/client.js';

export const STORE_ORDERS = `# Order board of one store, newest first, optionally filtered by status.
# Only that store's merchant may read it.
query StoreOrders($storeId: ID!, $status: [OrderStatus!], $first: Int = 20, $after: String) {
  store(id: $storeId) {
    id
    name
    orders(status: $status, first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          status
          createdAt
          user { id name phoneMasked }
          items { quantity menuItem { id name } }
          fees { payable { amount currency } }
          delivery { status rider { id name } }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
`;

export const STORE_ORDER_EVENTS = `# Live board: every new order and every status change of one store's orders,
# with the federated fields resolved as in StoreOrders.
subscription StoreOrderEvents($storeId: ID!) {
  storeOrderEvents(storeId: $storeId) {
    type
    at
    order {
      id
      status
      createdAt
      user { id name phoneMasked }
      items { quantity menuItem { id name } }
      fees { payable { amount currency } }
      delivery { status rider { id name } }
    }
  }
}
`;

export const ACCEPT_ORDER = `mutation AcceptOrder($id: ID!) {
  acceptOrder(id: $id) { id status }
}
`;

export const MARK_ORDER_READY = `mutation MarkOrderReady($id: ID!) {
  markOrderReady(id: $id) { id status }
}
`;

/** The statuses of an order the kitchen still has to act on or hand over. */
export const OPEN_STATUSES = ['PLACED', 'ACCEPTED', 'READY'];

/**
 * Waits before reconnecting, by attempt: the first retry comes quickly (a restarted gateway is
 * back within a second), later ones level off at 10 s so that a long outage does not hammer
 * the gateway and the board still comes back within seconds of it.
 */
const RETRY_DELAYS_MS = [500, 1_000, 2_000, 5_000, 10_000];

/** How the page shows a failure: the contract's `extensions.code` (null for the page's own) and the message. */
export function shownError(error) {
  const code = error?.extensions?.code;
  return { code: typeof code === 'string' ? code : null, message: String(error?.message ?? error) };
}

/** One operation over HTTP POST; resolves to `{ data, errors }` and never rejects, so every failure is shown the same way. */
export async function request(gatewayUrl, token, query, operationName, variables) {
  let response;
  try {
    response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, operationName, variables }),
    });
  } catch (error) {
    return { data: null, errors: [{ code: null, message: `The gateway at ${gatewayUrl} did not answer (${error.message}).` }] };
  }
  const body = await response.json().catch(() => null);
  if (!body || typeof body !== 'object') {
    return { data: null, errors: [{ code: null, message: `The gateway answered HTTP ${response.status} without a GraphQL response.` }] };
  }
  return { data: body.data ?? null, errors: (body.errors ?? []).map(shownError) };
}

/** The gateway serves WebSockets on its HTTP URL. */
function webSocketUrl(gatewayUrl) {
  const url = new URL(gatewayUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/** Close codes after which trying again with the same token cannot help. */
const REFUSED = new Map([
  [4401, 'UNAUTHENTICATED'],
  [4403, 'FORBIDDEN'],
]);

/** The gateway's close reasons lead with the contract code ("UNAUTHENTICATED: …"); the close code stands in without one. */
function closeError(fallbackCode, reason) {
  const match = /^([A-Z][A-Z_]+): (.*)$/s.exec(reason ?? '');
  return match ? { code: match[1], message: match[2] } : { code: fallbackCode, message: reason || 'The gateway closed the live connection.' };
}

/**
 * Follows `StoreOrderEvents` of one store until stop(). After a drop it reconnects with backoff
 * and subscribes again with `extensions.resumeAfter` = the last `streamId` it saw, so the gateway
 * replays what was missed. Reports through the callbacks:
 * - onEvent(storeOrderEvents) for every event, in order;
 * - onErrors([{ code, message }]) for errors the gateway sends;
 * - onState(state, detail): 'connecting', 'live', 'reconnecting' (detail: { inMs }), 'stopped' (refused or ended).
 */
export function followStore({ gatewayUrl, token, storeId, onEvent, onErrors, onState }) {
  let lastStreamId = null;
  let failures = 0;
  let stopped = false;
  let retryTimer = null;
  let unsubscribe = () => {};
  const client = createClient({
    url: webSocketUrl(gatewayUrl),
    connectionParams: { authorization: `Bearer ${token}` },
    // Retrying is ours: the library would subscribe again with the first payload, without the stream id to resume after.
    retryAttempts: 0,
    on: {
      connecting: () => stopped || onState('connecting'),
      connected: () => {
        failures = 0;
        if (!stopped) onState('live');
      },
    },
  });

  function subscribe() {
    const payload = {
      query: STORE_ORDER_EVENTS,
      operationName: 'StoreOrderEvents',
      variables: { storeId },
      ...(lastStreamId ? { extensions: { resumeAfter: lastStreamId } } : {}),
    };
    unsubscribe = client.subscribe(payload, {
      next: (result) => {
        if (stopped) return;
        const streamId = result.extensions?.streamId;
        if (typeof streamId === 'string') lastStreamId = streamId;
        if (result.errors?.length) onErrors(result.errors.map(shownError));
        const event = result.data?.storeOrderEvents;
        if (event) onEvent(event);
      },
      error: (error) => {
        if (stopped) return;
        if (Array.isArray(error)) return end(error.map(shownError));
        const refused = REFUSED.get(error?.code);
        if (refused) return end([closeError(refused, error.reason)]);
        retry();
      },
      // The gateway never ends the board on its own; if it does, follow again.
      complete: () => stopped || retry(),
    });
  }

  function retry() {
    const inMs = RETRY_DELAYS_MS[Math.min(failures, RETRY_DELAYS_MS.length - 1)];
    failures += 1;
    onState('reconnecting', { inMs });
    retryTimer = setTimeout(subscribe, inMs);
  }

  function end(errors) {
    onErrors(errors);
    onState('stopped');
  }

  subscribe();
  return {
    stop() {
      stopped = true;
      clearTimeout(retryTimer);
      unsubscribe();
      client.dispose();
    },
  };
}

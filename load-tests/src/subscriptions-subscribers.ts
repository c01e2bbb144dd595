/**
 * The subscribers of the subscriptions benchmark: one graphql-transport-ws connection each
 * (packages/testkit's client, as the dashboard connects), each with one StoreOrderEvents
 * subscription to its store, every connection authenticated as that store's merchant.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { connectSubscriptions, contractOperation, merchant, tokenFor, type Recording, type SubscriptionClient } from '@ordergraph/testkit';

export const STORE_ORDER_EVENTS = contractOperation('StoreOrderEvents');

export interface Subscriber {
  readonly storeId: string;
  readonly client: SubscriptionClient;
  readonly recording: Recording;
  /** The close the gateway sent, if it closed this connection. */
  closedBy: { code: number; reason: string } | null;
}

export interface Subscribers {
  readonly all: readonly Subscriber[];
  /** How long connecting (connection_init answered) took in all, ms. */
  readonly connectMs: number;
  close(): Promise<void>;
}

/** A connection that has no connection_ack after this long has failed: the gateway is not keeping up, or refused it. */
const CONNECT_TIMEOUT_MS = 30_000;

/** The merchant a store's subscribers connect as: m<k> of store s<k>, as the tests name them. */
export function merchantOf(storeId: string) {
  return merchant(`m${storeId.slice(1)}`, storeId);
}

/**
 * Connects `perStore` subscribers to each store, `batch` handshakes at a time (each batch
 * acknowledged before the next starts), and subscribes each once connected. Throws, closing
 * what it opened, if any connection fails.
 */
export async function connectSubscribers(gatewayUrl: string, storeIds: readonly string[], perStore: number, batch: number): Promise<Subscribers> {
  const authorizations = new Map(await Promise.all(storeIds.map(async (id) => [id, `Bearer ${await tokenFor(merchantOf(id))}`] as const)));
  const plan = storeIds.flatMap((storeId) => Array.from({ length: perStore }, () => storeId));
  const all: Subscriber[] = [];
  const started = performance.now();
  try {
    for (let from = 0; from < plan.length; from += batch) {
      const opened = await Promise.all(plan.slice(from, from + batch).map((storeId) => connectOne(gatewayUrl, storeId, authorizations.get(storeId)!)));
      all.push(...opened);
    }
  } catch (error) {
    await closeAll(all);
    throw error;
  }
  return { all, connectMs: performance.now() - started, close: () => closeAll(all) };
}

async function connectOne(gatewayUrl: string, storeId: string, authorization: string): Promise<Subscriber> {
  const client = await connectSubscriptions(gatewayUrl, { authorization });
  // Attached before any I/O has run: the handshake cannot have finished yet.
  const acknowledged = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`subscriber of ${storeId}: no connection_ack within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    client.client.on('connected', () => (clearTimeout(timer), resolve()));
    void client.closed.then(({ code, reason }) => (clearTimeout(timer), reject(new Error(`subscriber of ${storeId}: closed while connecting: ${code} ${reason}`))));
  });
  try {
    await acknowledged;
  } catch (error) {
    await client.close();
    throw error;
  }
  const subscriber: Subscriber = { storeId, client, recording: client.subscribe(STORE_ORDER_EVENTS, { storeId }), closedBy: null };
  void client.closed.then((event) => (subscriber.closedBy = event));
  return subscriber;
}

/** Disposing thousands of clients at once is itself a burst of closes: done in slices. */
const CLOSE_SLICE = 200;

async function closeAll(subscribers: readonly Subscriber[]): Promise<void> {
  for (let from = 0; from < subscribers.length; from += CLOSE_SLICE) {
    await Promise.all(subscribers.slice(from, from + CLOSE_SLICE).map((s) => s.client.close()));
    await sleep(0);
  }
}

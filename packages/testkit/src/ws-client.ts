import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import type { Principal } from '@ordergraph/common';
import { tokenFor } from './client.js';

export interface ReceivedEvent {
  readonly result: FormattedExecutionResult<Record<string, unknown>, { streamId?: string }>;
  readonly receivedAtMs: number;
}

/** One subscription's messages as they arrive, with waits for the next ones. */
export interface Recording {
  readonly events: ReceivedEvent[];
  /** The error message's errors, when the server refused or ended the subscription with one. */
  readonly errors: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>;
  /** Resolves once `count` events have arrived in all; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedEvent[]>;
  /** Resolves when the server completes or errors the subscription. */
  readonly ended: Promise<void>;
  stop(): void;
}

export interface SubscriptionClient {
  readonly client: Client;
  subscribe(query: string, variables?: Record<string, unknown>, extensions?: Record<string, unknown>): Recording;
  /** The close event of the socket, when the server closed it. */
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

/**
 * A graphql-transport-ws client as the dashboard uses one, over a real WebSocket, for tests
 * and load tests. No retries: a test sees every close as it happens.
 */
export async function connectSubscriptions(
  httpUrl: string,
  who: Principal | { authorization: string } | null,
): Promise<SubscriptionClient> {
  const authorization = who === null ? undefined : 'authorization' in who ? who.authorization : `Bearer ${await tokenFor(who)}`;
  let onClosed: (event: { code: number; reason: string }) => void = () => {};
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));
  const client = createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: authorization ? { authorization } : {},
    on: { closed: (event) => onClosed(event as { code: number; reason: string }) },
    onNonLazyError: () => {},
  });
  return {
    client,
    closed,
    subscribe(query, variables = {}, extensions) {
      const events: ReceivedEvent[] = [];
      const errors: Array<{ message: string; extensions?: Record<string, unknown> }> = [];
      const waiters: Array<() => void> = [];
      let endIt: () => void = () => {};
      const ended = new Promise<void>((resolve) => (endIt = resolve));
      const stop = client.subscribe<Record<string, unknown>, { streamId?: string }>(
        { query, variables, ...(extensions ? { extensions } : {}) },
        {
          next: (result) => {
            events.push({ result, receivedAtMs: Date.now() });
            for (const wake of waiters.splice(0)) wake();
          },
          error: (error) => {
            if (Array.isArray(error)) errors.push(...(error as typeof errors));
            else if (error instanceof Error) errors.push({ message: error.message });
            endIt();
          },
          complete: () => endIt(),
        },
      );
      return {
        events,
        errors,
        ended,
        stop,
        waitFor: async (count, timeoutMs = 5_000) => {
          const deadline = Date.now() + timeoutMs;
          while (events.length < count) {
            const left = deadline - Date.now();
            if (left <= 0) throw new Error(`waited ${timeoutMs} ms for ${count} events; got ${events.length}: ${JSON.stringify(events.map((e) => e.result))}`);
            await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), new Promise((resolve) => setTimeout(resolve, left)), ended]);
            if (errors.length > 0) throw new Error(`subscription ended with errors: ${JSON.stringify(errors)}`);
          }
          return events.slice(0, count);
        },
      };
    },
    close: async () => {
      await client.dispose();
    },
  };
}

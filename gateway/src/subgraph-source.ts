import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { Agent, fetch as undiciFetch } from 'undici';
import type { Fetcher } from '@apollo/utils.fetcher';
import { codedError, ErrorCode } from '@ordergraph/common';
import type { GatewayContext } from './context.js';

export interface SubgraphSourceOptions {
  readonly name: string;
  readonly url: string;
  readonly timeoutMs: number;
  readonly connections: number;
}

/**
 * The gateway's client for one subgraph: its own keep-alive pool, a deadline per fetch, the
 * caller's token passed on (each subgraph authorizes what it owns), and every transport
 * failure turned into the contract's SUBGRAPH_* error naming the subgraph, never its address.
 */
export class SubgraphSource extends RemoteGraphQLDataSource<GatewayContext> {
  readonly subgraph: string;
  private readonly agent: Agent;

  constructor(options: SubgraphSourceOptions) {
    const agent = new Agent({ connections: options.connections, keepAliveTimeout: 30_000 });
    const fetcher = ((url: string, init: Parameters<typeof undiciFetch>[1]) =>
      undiciFetch(url, { ...init, dispatcher: agent, signal: AbortSignal.timeout(options.timeoutMs) })) as unknown as Fetcher;
    super({ url: options.url, fetcher });
    this.subgraph = options.name;
    this.agent = agent;
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (context.authorization) request.http?.headers.set('authorization', context.authorization);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    try {
      return await super.process(options);
    } catch (error) {
      throw subgraphFailure(this.subgraph, error);
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/** What a client sees when a subgraph could not be asked: a contract code and the subgraph's name. */
export function subgraphFailure(subgraph: string, error: unknown): GraphQLError {
  if (isTimeout(error)) {
    return codedError(ErrorCode.SUBGRAPH_TIMEOUT, `The ${subgraph} service did not answer in time.`, { subgraph });
  }
  return codedError(ErrorCode.SUBGRAPH_UNAVAILABLE, `The ${subgraph} service is unavailable.`, { subgraph });
}

function isTimeout(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.name === 'TimeoutError') return true;
  }
  return false;
}

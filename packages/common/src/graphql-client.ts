import { Agent, request, errors as undiciErrors } from 'undici';
import { codedError, ErrorCode, isErrorCode } from './errors.js';

export interface GraphQLClientOptions {
  /** The subgraph's name, for errors: `extensions.subgraph`. */
  readonly name: string;
  /** A function where the address is known only once the peer listens (tests on port 0). */
  readonly url: string | (() => string);
  /** Whole request, connect to last byte. */
  readonly timeoutMs: number;
  /** Keep-alive sockets to this subgraph; beyond that, requests queue in the agent. */
  readonly connections: number;
}

export interface GraphQLErrorPayload {
  readonly message: string;
  readonly path?: ReadonlyArray<string | number>;
  readonly extensions?: Record<string, unknown>;
}

export interface GraphQLResponse<Data> {
  readonly data: Data | null;
  readonly errors: readonly GraphQLErrorPayload[];
}

/**
 * A keep-alive GraphQL client for one subgraph, used where one subgraph asks another
 * (placing an order reads store, menu and user). Transport failures become the contract's
 * SUBGRAPH_* errors naming the subgraph; nothing about its address leaks.
 */
export class GraphQLClient {
  private readonly agent: Agent;

  constructor(readonly options: GraphQLClientOptions) {
    this.agent = new Agent({ connections: options.connections, keepAliveTimeout: 30_000 });
  }

  async request<Data>(
    query: string,
    variables: Record<string, unknown>,
    headers: { authorization?: string | undefined } = {},
  ): Promise<GraphQLResponse<Data>> {
    const { name, timeoutMs } = this.options;
    const url = typeof this.options.url === 'string' ? this.options.url : this.options.url();
    let response;
    try {
      response = await request(url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: {
          'content-type': 'application/json',
          ...(headers.authorization ? { authorization: headers.authorization } : {}),
        },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw transportError(name, error);
    }
    let body: { data?: Data | null; errors?: GraphQLErrorPayload[] };
    try {
      body = (await response.body.json()) as typeof body;
    } catch (error) {
      throw transportError(name, error);
    }
    if (response.statusCode >= 500 && !body.data) {
      throw codedError(ErrorCode.SUBGRAPH_UNAVAILABLE, `The ${name} service answered ${response.statusCode}.`, { subgraph: name });
    }
    return { data: body.data ?? null, errors: body.errors ?? [] };
  }

  /** `request`, where any GraphQL error is rethrown as the client-facing error it carries. */
  async requestData<Data>(query: string, variables: Record<string, unknown>, headers: { authorization?: string | undefined } = {}): Promise<Data> {
    const { data, errors } = await this.request<Data>(query, variables, headers);
    const [first] = errors;
    if (first) {
      const code = first.extensions?.['code'];
      if (isErrorCode(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) throw codedError(code, first.message, pickSubgraph(first));
      throw codedError(ErrorCode.SUBGRAPH_UNAVAILABLE, `The ${this.options.name} service failed.`, { subgraph: this.options.name });
    }
    if (!data) throw codedError(ErrorCode.SUBGRAPH_UNAVAILABLE, `The ${this.options.name} service returned no data.`, { subgraph: this.options.name });
    return data;
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

function pickSubgraph(error: GraphQLErrorPayload): Record<string, unknown> {
  const subgraph = error.extensions?.['subgraph'];
  return typeof subgraph === 'string' ? { subgraph } : {};
}

function transportError(name: string, error: unknown) {
  const timedOut =
    (error instanceof DOMException && error.name === 'TimeoutError') ||
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError;
  return timedOut
    ? codedError(ErrorCode.SUBGRAPH_TIMEOUT, `The ${name} service did not answer in time.`, { subgraph: name })
    : codedError(ErrorCode.SUBGRAPH_UNAVAILABLE, `The ${name} service could not be reached.`, { subgraph: name });
}

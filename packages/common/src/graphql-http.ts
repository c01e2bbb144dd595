import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { nameServiceOnRequestSpan } from '@ordergraph/telemetry';
import { ErrorCode } from './errors.js';
import type { Logger } from './logger.js';

/** The largest GraphQL request body a service reads (express.json's limit on the same path). */
export const GRAPHQL_BODY_LIMIT_BYTES = 1024 * 1024;

export interface GraphQLPostOptions<Context extends BaseContext> {
  /** The service's name on the request's span (see nameServiceOnSpan). */
  readonly service: string;
  readonly path: string;
  readonly maxBodyBytes: number;
  readonly context: (req: IncomingMessage) => Promise<Context>;
  readonly log: Logger;
}

/**
 * The hot path of every service: `POST /graphql` with a JSON body, read and handed to Apollo
 * Server directly, as its Express integration would after express.json(), without Express's
 * router, body parser and ETag hashing in between. Anything else — GET, another path, a
 * browser's cross-origin request (CORS is Express's), another content type — goes to `app`.
 */
export function withGraphQLPost<Context extends BaseContext>(apollo: ApolloServer<Context>, app: RequestListener, options: GraphQLPostOptions<Context>): RequestListener {
  const { path } = options;
  return (req, res) => {
    const url = req.url ?? '';
    const onPath = url === path || (url.startsWith(path) && url[path.length] === '?');
    if (req.method !== 'POST' || !onPath || req.headers.origin !== undefined || !isJson(req.headers['content-type'])) {
      app(req, res);
      return;
    }
    nameServiceOnRequestSpan(options.service, path);
    serve(apollo, req, res, url.slice(path.length), options).catch((error: unknown) => {
      options.log.error({ err: error }, 'unexpected HTTP error');
      if (!res.headersSent) reply(res, 500, 'Internal server error.', ErrorCode.INTERNAL_SERVER_ERROR);
      else res.destroy();
    });
  };
}

async function serve<Context extends BaseContext>(apollo: ApolloServer<Context>, req: IncomingMessage, res: ServerResponse, search: string, options: GraphQLPostOptions<Context>): Promise<void> {
  let body: unknown;
  try {
    const text = await readBody(req, options.maxBodyBytes);
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    const status = error instanceof BodyTooLarge ? 413 : 400;
    reply(res, status, error instanceof Error ? error.message : 'The request could not be read.', ErrorCode.BAD_USER_INPUT);
    return;
  }
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: 'POST', headers, search, body },
    context: () => options.context(req),
  });
  res.statusCode = response.status ?? 200;
  for (const [key, value] of response.headers) res.setHeader(key, value);
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return type === 'application/json' || type === 'application/graphql-response+json';
}

class BodyTooLarge extends Error {
  constructor(limit: number) {
    super(`The request body is larger than ${limit} bytes.`);
  }
}

/** The whole body as UTF-8, refused past `limit` bytes (by Content-Length up front, or as it arrives). */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new BodyTooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function reply(res: ServerResponse, status: number, message: string, code: ErrorCode): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestListener } from 'node:http';
import { Readable } from 'node:stream';
import { ApolloServer } from '@apollo/server';
import { request } from 'undici';
import { withGraphQLPost } from './graphql-http.js';
import { listen, type RunningServer } from './http-server.js';
import { createLogger } from './logger.js';

interface Context {
  readonly caller: string;
}

let apollo: ApolloServer<Context>;
let server: RunningServer;
/** What reached the app behind the fast path. */
const toApp: string[] = [];

beforeAll(async () => {
  apollo = new ApolloServer<Context>({
    typeDefs: 'type Query { caller: String, echo(text: String!): String }',
    resolvers: { Query: { caller: (_: unknown, __: unknown, context: Context) => context.caller, echo: (_: unknown, { text }: { text: string }) => text } },
  });
  await apollo.start();
  const app: RequestListener = (req, res) => {
    toApp.push(`${req.method} ${req.url}`);
    res.statusCode = 299;
    res.end();
  };
  const listener = withGraphQLPost(apollo, app, {
    service: 'test',
    path: '/graphql',
    maxBodyBytes: 1024,
    context: async (req) => ({ caller: req.headers.authorization ?? 'nobody' }),
    log: createLogger('test', 'silent'),
  });
  server = await listen(listener, '127.0.0.1', 0);
});
afterAll(async () => {
  await server?.close();
  await apollo?.stop();
});

const post = (body: string, headers: Record<string, string> = {}, path = '/graphql') =>
  request(`${server.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('withGraphQLPost', () => {
  it('serves a JSON POST to the path through Apollo Server, with the context it builds', async () => {
    toApp.length = 0;
    const response = await post(JSON.stringify({ query: '{ caller }' }), { authorization: 'Bearer t' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(await response.body.json()).toEqual({ data: { caller: 'Bearer t' } });
    const withSearch = await post(JSON.stringify({ query: 'query($t: String!) { echo(text: $t) }', variables: { t: 'hi' } }), {}, '/graphql?x=1');
    expect(await withSearch.body.json()).toEqual({ data: { echo: 'hi' } });
    expect(toApp).toEqual([]);
  });

  it('leaves GET, other paths, other content types and cross-origin requests to the app', async () => {
    toApp.length = 0;
    const get = await request(`${server.origin}/graphql?query=%7Bcaller%7D`);
    const elsewhere = await post('{}', {}, '/graphqlx');
    const text = await post('{ caller }', { 'content-type': 'text/plain' });
    const browser = await post(JSON.stringify({ query: '{ caller }' }), { origin: 'http://dashboard.example' });
    for (const response of [get, elsewhere, text, browser]) {
      expect(response.statusCode).toBe(299);
      await response.body.dump();
    }
    expect(toApp).toEqual(['GET /graphql?query=%7Bcaller%7D', 'POST /graphqlx', 'POST /graphql', 'POST /graphql']);
  });

  it('answers a body that is not JSON with 400 and one over the limit with 413, both BAD_USER_INPUT as JSON', async () => {
    const broken = await post('{"query": ');
    expect(broken.statusCode).toBe(400);
    expect(((await broken.body.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('BAD_USER_INPUT');

    const large = JSON.stringify({ query: `{ echo(text: "${'x'.repeat(2_000)}") }` });
    const declared = await post(large);
    expect(declared.statusCode).toBe(413);
    expect(((await declared.body.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    // Chunked, without a Content-Length to refuse up front: counted as it arrives.
    const streamed = await request(`${server.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Readable.from((function* () {
        for (let i = 0; i < 4; i++) yield Buffer.from('x'.repeat(500));
      })()),
    });
    expect(streamed.statusCode).toBe(413);
    await streamed.body.dump();
  });
});

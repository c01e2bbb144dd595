import { Writable } from 'node:stream';
import { ApolloServer } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { codedError, ErrorCode } from './errors.js';
import { createLogger } from './logger.js';
import { requestLogPlugin } from './request-log.js';

function serverLoggingAt(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(JSON.parse(String(chunk))), done()) });
  const log = createLogger('test', level, sink);
  const server = new ApolloServer({
    typeDefs: 'type Query { hello: String secret: String }',
    resolvers: { Query: { hello: () => 'hi', secret: () => { throw codedError(ErrorCode.FORBIDDEN, 'not yours'); } } },
    plugins: [requestLogPlugin(log)],
  });
  return { server, lines };
}

describe('requestLogPlugin', () => {
  it('writes one debug line per request with the operation, its type, duration, status and error codes', async () => {
    const { server, lines } = serverLoggingAt('debug');
    await server.start();
    await server.executeOperation({ query: 'query Greeting { hello }' });
    await server.executeOperation({ query: 'query Peek { secret }' });
    await server.stop();
    const requests = lines.filter((line) => line['msg'] === 'graphql request');
    expect(requests).toEqual([
      expect.objectContaining({ level: 20, operation: 'Greeting', type: 'query', status: 200, durationMs: expect.any(Number) }),
      expect.objectContaining({ operation: 'Peek', errorCodes: ['FORBIDDEN'] }),
    ]);
    expect(requests[0]).not.toHaveProperty('errorCodes');
  });

  it('writes nothing per request at info', async () => {
    const { server, lines } = serverLoggingAt('info');
    await server.start();
    await server.executeOperation({ query: '{ hello }' });
    await server.stop();
    expect(lines.filter((line) => line['msg'] === 'graphql request')).toEqual([]);
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runPacedLoad } from './paced-load.js';

let server: Server | undefined;

/** A server answering every POST after `delayMs`, with `body`. */
async function serve(delayMs: number, body = '{"data":{}}'): Promise<string> {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => setTimeout(() => res.end(body), delayMs));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

describe('runPacedLoad', () => {
  it('sends rate × duration measured requests whether or not earlier ones have answered', async () => {
    const url = await serve(50);
    const result = await runPacedLoad({ url, ratePerS: 100, warmUpS: 0.2, durationS: 1, maxInFlight: 64, next: () => ({ body: '{}' }) });
    expect(result).toMatchObject({ requests: 100, errors: 0, dropped: 0 });
    expect(result.p50Ms).toBeGreaterThanOrEqual(50);
  });

  it('counts requests beyond maxInFlight as dropped, not sent', async () => {
    const url = await serve(300);
    const result = await runPacedLoad({ url, ratePerS: 50, warmUpS: 0, durationS: 1, maxInFlight: 2, next: () => ({ body: '{}' }) });
    expect(result.dropped).toBeGreaterThan(30);
    expect(result.requests + result.dropped).toBe(50);
  });

  it('counts answers carrying GraphQL errors as errors', async () => {
    const url = await serve(0, '{"errors":[{"message":"no"}]}');
    const result = await runPacedLoad({ url, ratePerS: 20, warmUpS: 0, durationS: 1, maxInFlight: 8, next: () => ({ body: '{}' }) });
    expect(result.errors).toBe(20);
  });
});

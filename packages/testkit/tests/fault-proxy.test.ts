import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../src/fault-proxy.js';

/** Node timers run on a millisecond-truncated clock, so a timer may fire up to a millisecond before the real time is up. */
const TIMER_SLACK_MS = 2;
/** Room for a busy CI machine (two test files at once on two cores) on top of an injected delay. */
const SCHEDULING_SLACK_MS = 250;
/** The ways undici reports a connection cut mid-request: the RST itself, or the close that follows it. */
const SOCKET_FAILURE = /^(ECONNRESET|UND_ERR_SOCKET|other side closed)$/;
const SLOW_BODY_BYTES = 1_000;

let upstream: Server;
let upstreamPort = 0;
let upstreamHits = 0;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    upstreamHits++;
    if (req.url === '/slow-body') {
      res.end('x'.repeat(SLOW_BODY_BYTES));
      return;
    }
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => res.end(Buffer.concat(parts)));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamPort = (upstream.address() as net.AddressInfo).port;
});

afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

let proxy: FaultProxy;
let agent: Agent;

beforeEach(async () => {
  upstreamHits = 0;
  proxy = await startFaultProxy(`http://127.0.0.1:${upstreamPort}/echo`);
  agent = new Agent({ connections: 4 });
});

afterEach(async () => {
  await agent.destroy();
  await proxy.close();
});

interface Options {
  method?: Dispatcher.HttpMethod;
  body?: Buffer;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
}

async function send(path: string, options: Options = {}): Promise<{ status: number; body: Buffer }> {
  const response = await request(proxy.url(path), { dispatcher: agent, ...options });
  return { status: response.statusCode, body: Buffer.from(await response.body.arrayBuffer()) };
}

/** Settles to the error a request failed with, so that a test can inspect it, or to 'answered'. */
function failureOf(pending: Promise<unknown>): Promise<unknown> {
  return pending.then(
    () => 'answered',
    (error: unknown) => error,
  );
}

/** Every code and message along an error's cause chain. */
function signatureOf(error: unknown): string[] {
  const found: string[] = [];
  for (let current = error; current instanceof Error; current = current.cause) {
    const { code } = current as NodeJS.ErrnoException;
    if (code) found.push(code);
    found.push(current.message);
  }
  return found;
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const startedMs = performance.now();
  await action();
  return performance.now() - startedMs;
}

function connectTo(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

/** A port nothing listens on: the kernel hands it out, then it is released. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('fault proxy', () => {
  it('pass forwards request and response bytes unchanged and counts each request on a keep-alive connection once', async () => {
    // Large enough to reach the proxy in several chunks, which must still count as one request.
    const payload = randomBytes(256 * 1024);

    for (let i = 0; i < 3; i++) {
      const response = await send('/echo', { method: 'POST', body: payload });
      expect(response.status).toBe(200);
      expect(response.body.equals(payload)).toBe(true);
    }

    expect(upstreamHits).toBe(3);
    expect(proxy.stats).toMatchObject({ requests: 3, inFlight: 0, maxInFlight: 1 });
  });

  it('url() defaults to the path of a URL target', () => {
    expect(proxy.url()).toBe(`http://127.0.0.1:${proxy.port}/echo`);
    expect(proxy.url('/graphql')).toBe(`http://127.0.0.1:${proxy.port}/graphql`);
  });

  it('latency holds a request back for at least latencyMs', async () => {
    const latencyMs = 200;
    await proxy.set({ kind: 'latency', latencyMs });

    const elapsedMs = await timed(() => send('/echo'));

    expect(elapsedMs).toBeGreaterThanOrEqual(latencyMs - TIMER_SLACK_MS);
    expect(elapsedMs).toBeLessThan(latencyMs + SCHEDULING_SLACK_MS);
  });

  it('latency with jitter spreads requests across latencyMs ± jitterMs and no further', async () => {
    const latencyMs = 100;
    const jitterMs = 60;
    await proxy.set({ kind: 'latency', latencyMs, jitterMs });

    const elapsed: number[] = [];
    for (let i = 0; i < 10; i++) elapsed.push(await timed(() => send('/echo')));

    expect(Math.min(...elapsed)).toBeGreaterThanOrEqual(latencyMs - jitterMs - TIMER_SLACK_MS);
    expect(Math.max(...elapsed)).toBeLessThan(latencyMs + jitterMs + SCHEDULING_SLACK_MS);
    // Ten uniform draws over 120 ms all land within 30 ms of each other with a chance of about 3 in 100,000.
    expect(Math.max(...elapsed) - Math.min(...elapsed)).toBeGreaterThan(30);
  });

  it('status 503 answers with a JSON 503 and the upstream never sees the request', async () => {
    await proxy.set({ kind: 'status', status: 503 });

    const response = await send('/echo');

    expect(response.status).toBe(503);
    expect(JSON.parse(response.body.toString())).toEqual({ errors: [{ message: 'fault proxy: injected 503 Service Unavailable' }] });
    expect(upstreamHits).toBe(0);
    expect(proxy.stats).toMatchObject({ requests: 1, inFlight: 0 });
  });

  it('refuse makes new connections fail with ECONNREFUSED until another fault is set on the same port', async () => {
    const { port } = proxy;
    await proxy.set({ kind: 'refuse' });

    expect(signatureOf(await failureOf(send('/echo')))).toContain('ECONNREFUSED');

    await proxy.set({ kind: 'pass' });
    expect(proxy.port).toBe(port);
    expect((await send('/echo')).status).toBe(200);
  });

  it('refuse drops the connections that were already open', async () => {
    await send('/echo');
    expect(proxy.stats.openSockets).toBe(1);

    await proxy.set({ kind: 'refuse' });

    expect(proxy.stats.openSockets).toBe(0);
  });

  it('reset fails the request with a socket error after the upstream has received it', async () => {
    await proxy.set({ kind: 'reset' });

    const failure = await failureOf(send('/echo'));

    expect(signatureOf(failure)).toContainEqual(expect.stringMatching(SOCKET_FAILURE));
    expect(upstreamHits).toBe(1);
    expect(proxy.stats.inFlight).toBe(0);
  });

  it('reset cuts the connection with a TCP RST rather than a clean close', async () => {
    await proxy.set({ kind: 'reset' });

    const outcome = await new Promise<unknown>((resolve) => {
      const socket = net.connect(proxy.port, '127.0.0.1', () => socket.write('GET /echo HTTP/1.1\r\nhost: upstream\r\n\r\n'));
      socket.on('error', resolve);
      socket.on('close', () => resolve('closed without an error'));
    });

    expect(outcome).toMatchObject({ code: 'ECONNRESET' });
  });

  it('once resets exactly one request and the next one succeeds', async () => {
    proxy.once({ kind: 'reset' }, 1);

    expect(signatureOf(await failureOf(send('/echo')))).toContainEqual(expect.stringMatching(SOCKET_FAILURE));
    expect((await send('/echo')).status).toBe(200);
    expect(upstreamHits).toBe(2);
  });

  it('once applies a fault to exactly count requests, then the set fault applies again', async () => {
    proxy.once({ kind: 'status', status: 502 }, 2);

    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await send('/echo')).status);

    expect(statuses).toEqual([502, 502, 200]);
    expect(upstreamHits).toBe(1);
  });

  it('hang leaves a request unanswered and in flight until the client gives up', async () => {
    await proxy.set({ kind: 'hang' });

    const failure = failureOf(send('/echo', { signal: AbortSignal.timeout(200) }));
    await vi.waitFor(() => expect(proxy.stats.inFlight).toBe(1));

    expect(await failure).toMatchObject({ name: 'TimeoutError' });
    await vi.waitFor(() => expect(proxy.stats.inFlight).toBe(0));
    expect(upstreamHits).toBe(0);
  });

  it('counts five concurrent hung requests as five in flight', async () => {
    // The shared agent's four connections would queue the fifth request in the client.
    const wideAgent = new Agent({ connections: 5 });
    try {
      await proxy.set({ kind: 'hang' });
      const signal = AbortSignal.timeout(300);

      const failures = Array.from({ length: 5 }, () => failureOf(send('/echo', { signal, dispatcher: wideAgent })));
      await vi.waitFor(() => expect(proxy.stats.inFlight).toBe(5));

      for (const failure of await Promise.all(failures)) expect(failure).toMatchObject({ name: 'TimeoutError' });
      expect(proxy.stats).toMatchObject({ requests: 5, maxInFlight: 5, connections: 5 });
      await vi.waitFor(() => expect(proxy.stats.inFlight).toBe(0));
      proxy.resetStats();
      expect(proxy.stats).toMatchObject({ requests: 0, maxInFlight: 0, connections: 0 });
    } finally {
      await wideAgent.destroy();
    }
  });

  it('maxInFlight shows that a pool of four connections never lets a fifth request through', async () => {
    await proxy.set({ kind: 'hang' });
    const controller = new AbortController();

    const failures = Array.from({ length: 5 }, () => failureOf(send('/echo', { signal: controller.signal })));
    await vi.waitFor(() => expect(proxy.stats.inFlight).toBe(4));
    // Time for a fifth request to arrive, were the pool to let it through.
    await sleep(100);
    controller.abort();
    await Promise.all(failures);

    expect(proxy.stats).toMatchObject({ requests: 4, maxInFlight: 4 });
  });

  it('slowBody sends the response at bytesPerSecond', async () => {
    await proxy.set({ kind: 'slowBody', bytesPerSecond: 2_000 });

    let body = '';
    const elapsedMs = await timed(async () => (body = (await send('/slow-body')).body.toString()));

    expect(body).toBe('x'.repeat(SLOW_BODY_BYTES));
    // 1,000 bytes at 2,000 B/s take half a second; the last slice is not waited for.
    expect(elapsedMs).toBeGreaterThanOrEqual(400);
  });

  it('close() ends every connection, in-flight ones included, and stops accepting', async () => {
    await send('/echo');
    await proxy.set({ kind: 'hang' });
    const failure = failureOf(send('/echo'));
    await vi.waitFor(() => expect(proxy.stats.inFlight).toBe(1));

    await proxy.close();

    expect(proxy.stats).toMatchObject({ openSockets: 0, inFlight: 0 });
    expect(signatureOf(await failure)).toContainEqual(expect.stringMatching(SOCKET_FAILURE));
    await expect(connectTo(proxy.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(proxy.set({ kind: 'pass' })).rejects.toThrow('fault proxy: set({"kind":"pass"}) after close()');
  });

  it('drops the client connection when the upstream refuses it', async () => {
    const closedPort = await freePort();
    const orphan = await startFaultProxy({ host: '127.0.0.1', port: closedPort });
    try {
      const failure = await failureOf(request(orphan.url('/'), { dispatcher: agent }));

      expect(signatureOf(failure)).toContainEqual(expect.stringMatching(SOCKET_FAILURE));
      await vi.waitFor(() => expect(orphan.stats).toMatchObject({ requests: 1, inFlight: 0, openSockets: 0 }));
    } finally {
      await orphan.close();
    }
  });

  it('rejects faults that break their contract and names the bad value', async () => {
    await expect(proxy.set({ kind: 'slowBody', bytesPerSecond: 0 })).rejects.toThrow('fault proxy: slowBody needs bytesPerSecond > 0, got 0');
    await expect(proxy.set({ kind: 'latency', latencyMs: -5 })).rejects.toThrow('fault proxy: latency needs latencyMs >= 0 and jitterMs >= 0, got -5 and undefined');
    expect(() => proxy.once({ kind: 'hang' }, 0)).toThrow('fault proxy: once() needs a positive integer count, got 0');
    expect(() => proxy.once({ kind: 'refuse' } as never)).toThrow('fault proxy: once() takes a request fault; refuse acts on the listener, so use set()');
  });
});

import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** What the proxy does to traffic. Only `status` knows about HTTP; every other fault is plain TCP, so the proxy also fronts MySQL and Redis. */
export type Fault =
  | { kind: 'pass' }
  /** Holds each request's bytes for `latencyMs`, plus or minus up to `jitterMs`, before forwarding them. */
  | { kind: 'latency'; latencyMs: number; jitterMs?: number }
  /** Answers each request itself with a small JSON body and `connection: close`; the upstream never sees it. */
  | { kind: 'status'; status: 500 | 502 | 503 }
  /** Stops listening, so new connections get ECONNREFUSED, and drops open ones; setting another fault listens again on the same port. */
  | { kind: 'refuse' }
  /** Forwards the request; when the upstream starts answering, resets the client connection (TCP RST) before any response byte reaches it. */
  | { kind: 'reset' }
  /** Reads each request and does nothing with it. */
  | { kind: 'hang' }
  /** Forwards the request and sends the response back at `bytesPerSecond`. */
  | { kind: 'slowBody'; bytesPerSecond: number };

/** `refuse` acts on the listener, not on one request, so it can be `set` but not applied `once`. */
export type RequestFault = Exclude<Fault, { kind: 'refuse' }>;

export interface FaultProxyStats {
  /** Request starts: bytes from a client that is not already waiting for an answer. */
  readonly requests: number;
  /** Requests that have reached the proxy and have not yet had a response byte back, been answered by the proxy, or lost their connection. */
  readonly inFlight: number;
  /** The highest `inFlight` since the proxy started or `resetStats()`. */
  readonly maxInFlight: number;
  /** Client connections accepted since the proxy started or `resetStats()`. */
  readonly connections: number;
  /** Client connections open now. */
  readonly openSockets: number;
}

export interface FaultProxy {
  readonly port: number;
  /** `http://127.0.0.1:PORT` plus `path`, which defaults to the path of a URL target. */
  url(path?: string): string;
  /** Applies to new connections and to the next request on open ones; a request already started keeps the fault it started under. */
  set(fault: Fault): Promise<void>;
  /** Applies `fault` to the next `count` requests only, then the `set` fault applies again. Calls queue up in order. */
  once(fault: RequestFault, count?: number): void;
  /** A snapshot, so a test can compare one taken before with one taken after. */
  readonly stats: FaultProxyStats;
  resetStats(): void;
  /** Destroys every socket and stops listening; resolves once every socket has closed. Safe to call twice. */
  close(): Promise<void>;
}

export type FaultProxyTarget = { host: string; port: number } | string;

/** Starts a proxy on 127.0.0.1 that forwards to `target` (`{ host, port }` or a URL such as `http://127.0.0.1:4001/graphql`). */
export async function startFaultProxy(target: FaultProxyTarget, options: { port?: number } = {}): Promise<FaultProxy> {
  const proxy = new TcpFaultProxy(parseTarget(target));
  await proxy.listen(options.port ?? 0);
  return proxy;
}

/** slowBody sends one slice per tick: fine enough that half a second of body arrives in ten pieces, coarse enough not to busy the event loop. */
const DRIBBLE_TICK_MS = 50;

const STATUS_TEXT: Record<number, string> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'mysql:': 3306, 'redis:': 6379 };

interface Upstream {
  readonly host: string;
  readonly port: number;
  readonly path: string;
}

interface Request {
  readonly fault: Fault;
  /** When `latency` lets this request's bytes through, on the `performance.now()` clock. */
  readonly releaseAtMs: number;
  settled: boolean;
}

interface Connection {
  readonly client: net.Socket;
  upstream: net.Socket | undefined;
  /** The latest request; its fault also governs the response that comes back for it. */
  request: Request | undefined;
  /** The proxy answered itself; whatever else the client sends is ignored. */
  answered: boolean;
  /** Aborted when the connection goes, so that no latency or dribble timer outlives it. */
  readonly abort: AbortController;
  /** Settle on each socket's 'close' event; `socket.closed` turns true a tick before it, too early for the stats. */
  readonly clientClosed: Promise<void>;
  upstreamClosed: Promise<void>;
}

class TcpFaultProxy implements FaultProxy {
  private readonly server = net.createServer({ allowHalfOpen: true }, (client) => this.accept(client));
  private readonly connections = new Set<Connection>();
  private fault: Fault = { kind: 'pass' };
  private readonly onceQueue: Array<{ fault: RequestFault; remaining: number }> = [];
  private counters = { requests: 0, inFlight: 0, maxInFlight: 0, connections: 0 };
  private openClients = 0;
  private listeningPort = 0;
  /** Fault switches run one after another, so that `refuse` then `pass` close and reopen in that order. */
  private switching: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;

  constructor(private readonly upstream: Upstream) {
    // listen() reports its own failures; a later accept error (EMFILE) only costs that one connection.
    this.server.on('error', () => {});
  }

  get port(): number {
    return this.listeningPort;
  }

  get stats(): FaultProxyStats {
    return { ...this.counters, openSockets: this.openClients };
  }

  url(path: string = this.upstream.path): string {
    return `http://127.0.0.1:${this.listeningPort}${path}`;
  }

  async set(fault: Fault): Promise<void> {
    validateFault(fault);
    const next = this.switching.then(() => this.switchTo(fault));
    this.switching = next.catch(() => {});
    return next;
  }

  once(fault: RequestFault, count = 1): void {
    if ((fault as Fault).kind === 'refuse') throw new TypeError('fault proxy: once() takes a request fault; refuse acts on the listener, so use set()');
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`fault proxy: once() needs a positive integer count, got ${count}`);
    validateFault(fault);
    this.onceQueue.push({ fault, remaining: count });
  }

  resetStats(): void {
    this.counters = { requests: 0, inFlight: this.counters.inFlight, maxInFlight: this.counters.inFlight, connections: 0 };
  }

  close(): Promise<void> {
    this.closing ??= this.switching.then(async () => {
      await Promise.all([this.stopListening(), this.dropConnections()]);
    });
    return this.closing;
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.listeningPort = (this.server.address() as net.AddressInfo).port;
  }

  private async switchTo(fault: Fault): Promise<void> {
    if (this.closing) throw new Error(`fault proxy: set(${JSON.stringify(fault)}) after close()`);
    const wasRefusing = this.fault.kind === 'refuse';
    this.fault = fault;
    if (fault.kind === 'refuse' && !wasRefusing) await Promise.all([this.stopListening(), this.dropConnections()]);
    if (fault.kind !== 'refuse' && wasRefusing) await this.listen(this.listeningPort);
  }

  private stopListening(): Promise<void> {
    // The callback's error only says the server was not listening, which is the state we want.
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async dropConnections(): Promise<void> {
    const closes = [...this.connections].map((connection) => {
      teardown(connection);
      return Promise.all([connection.clientClosed, connection.upstreamClosed]);
    });
    await Promise.all(closes);
  }

  private accept(client: net.Socket): void {
    const connection: Connection = {
      client,
      upstream: undefined,
      request: undefined,
      answered: false,
      abort: new AbortController(),
      clientClosed: closedOf(client),
      upstreamClosed: Promise.resolve(),
    };
    this.connections.add(connection);
    this.counters.connections++;
    this.openClients++;
    // Every error is followed by 'close', which tears the pair down.
    client.on('error', () => {});
    void connection.clientClosed.then(() => this.forget(connection));
    pump(client, connection, (chunk) => this.forwardRequestChunk(connection, chunk), () => (connection.upstream ?? client).end());
    if (this.fault.kind === 'refuse') teardown(connection);
    // Connect at once when forwarding, because servers such as MySQL speak first.
    else if (forwards(this.fault)) this.upstreamOf(connection);
  }

  /** Runs before anyone awaiting `clientClosed` resumes, so that stats read after close() or a refuse are already final. */
  private forget(connection: Connection): void {
    this.openClients--;
    this.settle(connection.request);
    teardown(connection);
    void connection.upstreamClosed.then(() => this.connections.delete(connection));
  }

  private async forwardRequestChunk(connection: Connection, chunk: Buffer): Promise<void> {
    if (connection.answered) return;
    const request = connection.request && !connection.request.settled ? connection.request : this.startRequest(connection);
    const { fault } = request;
    switch (fault.kind) {
      case 'refuse':
        teardown(connection);
        return;
      case 'hang':
        return;
      case 'status':
        this.answer(connection, request, fault.status);
        return;
      case 'latency':
        await sleep(Math.max(0, request.releaseAtMs - performance.now()), undefined, { signal: connection.abort.signal });
        break;
      case 'pass':
      case 'reset':
      case 'slowBody':
        break;
      default:
        return assertNever(fault);
    }
    await write(this.upstreamOf(connection), chunk, connection.abort.signal);
  }

  private async forwardResponseChunk(connection: Connection, chunk: Buffer): Promise<void> {
    const { request } = connection;
    this.settle(request);
    const fault = request?.fault ?? this.fault;
    if (fault.kind === 'reset') {
      resetAndDestroy(connection.client);
      teardown(connection);
    } else if (fault.kind === 'slowBody') {
      await dribble(connection.client, chunk, fault.bytesPerSecond, connection.abort.signal);
    } else {
      await write(connection.client, chunk, connection.abort.signal);
    }
  }

  /** A request starts with the first bytes a connection sends while not waiting for an answer; later bytes belong to it. */
  private startRequest(connection: Connection): Request {
    this.counters.requests++;
    this.counters.inFlight++;
    this.counters.maxInFlight = Math.max(this.counters.maxInFlight, this.counters.inFlight);
    const fault = this.takeFault();
    const delayMs = fault.kind === 'latency' ? jitter(fault.latencyMs, fault.jitterMs ?? 0) : 0;
    connection.request = { fault, releaseAtMs: performance.now() + delayMs, settled: false };
    return connection.request;
  }

  private takeFault(): Fault {
    const head = this.onceQueue[0];
    if (!head) return this.fault;
    head.remaining--;
    if (head.remaining === 0) this.onceQueue.shift();
    return head.fault;
  }

  /** Ends a request's time in flight: on its first response byte, the proxy's own answer, or the connection closing. */
  private settle(request: Request | undefined): void {
    if (!request || request.settled) return;
    request.settled = true;
    this.counters.inFlight--;
  }

  private answer(connection: Connection, request: Request, status: number): void {
    connection.answered = true;
    this.settle(request);
    connection.upstream?.destroy();
    connection.client.end(cannedResponse(status));
  }

  /** The connection's upstream socket, connected on first need so that `status` and `hang` never touch the upstream. */
  private upstreamOf(connection: Connection): net.Socket {
    if (connection.upstream) return connection.upstream;
    connection.abort.signal.throwIfAborted();
    const upstream = net.connect({ host: this.upstream.host, port: this.upstream.port, allowHalfOpen: true });
    connection.upstream = upstream;
    connection.upstreamClosed = closedOf(upstream);
    upstream.on('error', () => {});
    // A refused or broken upstream drops the client too; a clean close has already ended the client through pump().
    upstream.on('close', (hadError) => hadError && teardown(connection));
    pump(upstream, connection, (chunk) => this.forwardResponseChunk(connection, chunk), () => connection.client.end());
    return upstream;
  }
}

/** Hands `source`'s chunks to `handle` one at a time, pausing the source meanwhile so that delays hold the data back rather than queue it. */
function pump(source: net.Socket, connection: Connection, handle: (chunk: Buffer) => Promise<void>, onEnd: () => void): void {
  let queue = Promise.resolve();
  const fail = () => teardown(connection);
  source.on('data', (chunk: Buffer) => {
    source.pause();
    queue = queue.then(() => handle(chunk)).then(() => void source.resume(), fail);
  });
  source.on('end', () => {
    queue = queue.then(onEnd).catch(fail);
  });
}

async function write(socket: net.Socket, chunk: Buffer, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  if (socket.destroyed || socket.writableEnded) return;
  if (socket.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('drain', () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/** Sends `chunk` in slices spaced so that the rate is `bytesPerSecond`. */
async function dribble(socket: net.Socket, chunk: Buffer, bytesPerSecond: number, signal: AbortSignal): Promise<void> {
  const sliceBytes = Math.max(1, Math.floor((bytesPerSecond * DRIBBLE_TICK_MS) / 1000));
  const sliceMs = (sliceBytes / bytesPerSecond) * 1000;
  for (let offset = 0; offset < chunk.length; offset += sliceBytes) {
    await write(socket, chunk.subarray(offset, offset + sliceBytes), signal);
    await sleep(sliceMs, undefined, { signal });
  }
}

function teardown(connection: Connection): void {
  connection.abort.abort();
  connection.client.destroy();
  connection.upstream?.destroy();
}

function resetAndDestroy(socket: net.Socket): void {
  try {
    socket.resetAndDestroy();
  } catch {
    // Only a socket that is not connected any more refuses an RST; destroying it is all that is left to do.
    socket.destroy();
  }
}

function closedOf(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

function forwards(fault: Fault): boolean {
  return fault.kind === 'pass' || fault.kind === 'latency' || fault.kind === 'reset' || fault.kind === 'slowBody';
}

function jitter(latencyMs: number, jitterMs: number): number {
  return Math.max(0, latencyMs + (Math.random() * 2 - 1) * jitterMs);
}

function cannedResponse(status: number): string {
  const body = JSON.stringify({ errors: [{ message: `fault proxy: injected ${status} ${STATUS_TEXT[status]}` }] });
  const head = [`HTTP/1.1 ${status} ${STATUS_TEXT[status]}`, 'content-type: application/json', `content-length: ${Buffer.byteLength(body)}`, 'connection: close'];
  return `${head.join('\r\n')}\r\n\r\n${body}`;
}

function parseTarget(target: FaultProxyTarget): Upstream {
  if (typeof target !== 'string') return { ...target, path: '' };
  const url = new URL(target);
  const port = url.port === '' ? DEFAULT_PORTS[url.protocol] : Number(url.port);
  if (port === undefined) throw new TypeError(`fault proxy: target needs a port, or a scheme with a known default port, got ${target}`);
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port, path: url.pathname === '/' ? '' : `${url.pathname}${url.search}` };
}

function validateFault(fault: Fault): void {
  switch (fault.kind) {
    case 'pass':
    case 'refuse':
    case 'reset':
    case 'hang':
      return;
    case 'latency':
      if (!isFiniteNonNegative(fault.latencyMs) || !(fault.jitterMs === undefined || isFiniteNonNegative(fault.jitterMs))) {
        throw new RangeError(`fault proxy: latency needs latencyMs >= 0 and jitterMs >= 0, got ${fault.latencyMs} and ${fault.jitterMs}`);
      }
      return;
    case 'status':
      if (!(fault.status in STATUS_TEXT)) throw new RangeError(`fault proxy: status must be 500, 502 or 503, got ${fault.status}`);
      return;
    case 'slowBody':
      if (!(fault.bytesPerSecond > 0) || !Number.isFinite(fault.bytesPerSecond)) {
        throw new RangeError(`fault proxy: slowBody needs bytesPerSecond > 0, got ${fault.bytesPerSecond}`);
      }
      return;
    default:
      throw new TypeError(`fault proxy: unknown fault ${JSON.stringify(fault)}`);
  }
}

function isFiniteNonNegative(value: number): boolean {
  return Number.isFinite(value) && value >= 0;
}

function assertNever(value: never): never {
  throw new TypeError(`fault proxy: unhandled fault ${JSON.stringify(value)}`);
}

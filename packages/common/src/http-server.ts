import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningServer {
  readonly server: Server;
  /** `http://host:port`, with the port the OS gave when 0 was asked for. */
  readonly origin: string;
  close(): Promise<void>;
}

/** Listens with `app` (Express, or a listener in front of it); close() stops accepting, ends idle keep-alive sockets, and waits. */
export async function listen(app: RequestListener, host: string, port: number): Promise<RunningServer> {
  const server = createServer(app);
  // Longer than the gateway's agent keeps sockets idle, so the server never closes one under it.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  // Once closed, closing again is a no-op: shutdown paths may overlap (a test stops one service, then the system).
  let closed: Promise<void> | undefined;
  return {
    server,
    origin,
    close: () =>
      (closed ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      })),
  };
}

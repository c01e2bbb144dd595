import { fileURLToPath } from 'node:url';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { listen, type Logger } from '@ordergraph/common';
import type { DashboardConfig } from './config.js';
import { devTokens } from './dev-tokens.js';
import { GRAPHQL_WS_ROUTE, graphqlWsBrowserFiles } from './vendor.js';

export type { DashboardConfig } from './config.js';
export { readDashboardConfig } from './config.js';

export interface DashboardOptions extends DashboardConfig {
  /** Where a failed request is logged; unset, failures answer 500 and are not logged. */
  readonly log?: Logger;
}

export interface RunningDashboard {
  /** `http://host:port`, with the port the OS gave when 0 was asked for. */
  readonly origin: string;
  close(): Promise<void>;
}

/** What GET /config.json answers: everything the page needs before its first operation. */
export interface PageConfig {
  readonly gatewayUrl: string;
  readonly devTokens: ReadonlyArray<{ readonly label: string; readonly token: string }>;
}

const PUBLIC_DIR = fileURLToPath(new URL('../public', import.meta.url));

/** The page, its config, and graphql-ws's browser build; started by `npm start` and the tests. */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const running = await listen(createDashboardApp(options), options.host, options.port);
  return { origin: running.origin, close: running.close };
}

function createDashboardApp(options: DashboardOptions): Express {
  const gateway = parseGatewayUrl(options.gatewayUrl);
  const vendorFiles = graphqlWsBrowserFiles();
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders(gateway));
  app.get('/config.json', async (_req, res) => {
    const config: PageConfig = {
      gatewayUrl: gateway.href,
      devTokens: options.production ? [] : await devTokens(options.jwtSecret),
    };
    // The tokens are signed afresh on each request: no cache may keep an expired one.
    res.set('cache-control', 'no-store').json(config);
  });
  app.get(`${GRAPHQL_WS_ROUTE}/:file`, (req, res, next) => {
    const path = vendorFiles.get(req.params.file);
    if (path) res.sendFile(path);
    else next();
  });
  app.use(express.static(PUBLIC_DIR));
  app.use((req, res) => {
    res.status(404).type('text/plain').send(`Not found: ${req.method} ${req.path}`);
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    options.log?.error({ err: error, path: req.path }, 'dashboard request failed');
    if (!res.headersSent) res.status(500).type('text/plain').send('Internal error');
  });
  return app;
}

function parseGatewayUrl(value: string): URL {
  const url = URL.canParse(value) ? new URL(value) : null;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error(`gatewayUrl must be an http(s) URL of the gateway's GraphQL endpoint; got ${JSON.stringify(value)}.`);
  }
  return url;
}

/** The page talks to itself and to the gateway (HTTP for queries, WebSocket on the same URL for the live board), nothing else. */
function securityHeaders(gateway: URL) {
  const webSocketOrigin = `${gateway.protocol === 'https:' ? 'wss:' : 'ws:'}//${gateway.host}`;
  const policy = [
    "default-src 'self'",
    `connect-src 'self' ${gateway.origin} ${webSocketOrigin}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return (_req: Request, res: Response, next: NextFunction) => {
    res.set({ 'content-security-policy': policy, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
    next();
  };
}

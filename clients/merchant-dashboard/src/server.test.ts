import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { principalFromAuthorization, secretKey } from '@ordergraph/common';
import { contractOperation, TEST_JWT_SECRET } from '@ordergraph/testkit';
import { startDashboard, type PageConfig, type RunningDashboard } from './server.js';

const GATEWAY_URL = 'http://127.0.0.1:4999/graphql';

async function get(url: string) {
  const response = await request(url, { method: 'GET' });
  return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
}

function start(production: boolean): Promise<RunningDashboard> {
  return startDashboard({ host: '127.0.0.1', port: 0, gatewayUrl: GATEWAY_URL, production, jwtSecret: TEST_JWT_SECRET });
}

describe('outside production', () => {
  let dashboard: RunningDashboard;
  beforeAll(async () => {
    dashboard = await start(false);
  });
  afterAll(async () => {
    await dashboard?.close();
  });

  it('offers merchant tokens for the first seeded stores, m<k> owning s<k>, signed with the secret it was given', async () => {
    const response = await get(`${dashboard.origin}/config.json`);

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('no-store');
    const config = JSON.parse(response.body) as PageConfig;
    expect(config.gatewayUrl).toBe(GATEWAY_URL);
    expect(config.devTokens.map((t) => t.label)).toEqual([1, 2, 3, 4, 5].map((k) => `merchant m${k} · store s${k}`));
    const principals = await Promise.all(config.devTokens.map((t) => principalFromAuthorization(`Bearer ${t.token}`, secretKey(TEST_JWT_SECRET))));
    expect(principals).toEqual([1, 2, 3, 4, 5].map((k) => ({ role: 'merchant', sub: `m${k}`, storeIds: [`s${k}`] })));
  });

  it.each([
    ['/', /^text\/html; charset=utf-8$/],
    ['/index.html', /^text\/html; charset=utf-8$/],
    ['/app.js', /^text\/javascript; charset=utf-8$/],
    ['/gateway.js', /^text\/javascript; charset=utf-8$/],
    ['/style.css', /^text\/css; charset=utf-8$/],
    ['/vendor/graphql-ws/client.js', /^text\/javascript; charset=utf-8$/],
  ])('serves %s as %s', async (path, contentType) => {
    const response = await get(`${dashboard.origin}${path}`);

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(contentType);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it("serves graphql-ws's browser build with every chunk it imports, and no bare import a browser could not resolve", async () => {
    const client = await get(`${dashboard.origin}/vendor/graphql-ws/client.js`);
    const imports = [...client.body.matchAll(/^(?:import|export)\b[^'"();]*?\bfrom\s*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);

    expect(client.body).toContain('function createClient(');
    expect(imports.length).toBeGreaterThan(0);
    for (const specifier of imports) {
      expect(specifier).toMatch(/^\.\/[\w.-]+\.js$/);
      const chunk = await get(new URL(specifier, `${dashboard.origin}/vendor/graphql-ws/client.js`).href);
      expect(chunk.status, specifier).toBe(200);
      expect(chunk.headers['content-type'], specifier).toMatch(/^text\/javascript/);
    }
  });

  it("sends the contract's merchant-dashboard operations word for word", async () => {
    const page = await get(`${dashboard.origin}/gateway.js`);

    for (const name of ['StoreOrders', 'StoreOrderEvents', 'AcceptOrder', 'MarkOrderReady']) {
      expect(page.body, name).toContain(`\`${contractOperation(name)}\``);
    }
  });

  it('lets the page reach only itself and the gateway, over HTTP and WebSocket', async () => {
    const response = await get(`${dashboard.origin}/`);

    expect(response.headers['content-security-policy']).toContain("connect-src 'self' http://127.0.0.1:4999 ws://127.0.0.1:4999");
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it.each(['/nope', '/config', '/vendor/graphql-ws/index.js', '/vendor/graphql-ws/../package.json', '/%2e%2e/package.json', '/src/server.ts'])(
    'answers 404 for %s',
    async (path) => {
      const response = await get(`${dashboard.origin}${path}`);

      expect(response.status).toBe(404);
      expect(response.body).not.toContain('"name"');
    },
  );
});

describe('in production', () => {
  let dashboard: RunningDashboard;
  beforeAll(async () => {
    dashboard = await start(true);
  });
  afterAll(async () => {
    await dashboard?.close();
  });

  it('offers no dev tokens', async () => {
    const response = await get(`${dashboard.origin}/config.json`);

    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ gatewayUrl: GATEWAY_URL, devTokens: [] });
  });

  it('still serves the page, for a token pasted by hand', async () => {
    const response = await get(`${dashboard.origin}/`);

    expect(response.status).toBe(200);
    expect(response.body).toContain('<textarea id="token"');
  });
});

it('refuses a gateway URL that is not http(s), printing it', async () => {
  await expect(startDashboard({ host: '127.0.0.1', port: 0, gatewayUrl: 'ftp://gateway/graphql', production: false, jwtSecret: TEST_JWT_SECRET }))
    .rejects.toThrow('gatewayUrl must be an http(s) URL of the gateway\'s GraphQL endpoint; got "ftp://gateway/graphql".');
});

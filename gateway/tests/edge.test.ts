import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contractOperation, customer, errorCodes, graphql, startTestSystem, tokenFor, type TestSystem,
} from '@ordergraph/testkit';

/**
 * The gateway's HTTP edge: probes, GraphQL over GET, the Sandbox landing page in development,
 * and what production turns off. Each system runs the five subgraphs on MariaDB and Redis.
 */

const SUBGRAPHS = ['menu', 'order', 'rider', 'store', 'user'];

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await request(url, { method: 'GET', headers });
  return { status: response.statusCode, contentType: String(response.headers['content-type'] ?? ''), body: await response.body.text() };
}

/** `/graphql?query=…&variables=…` as a client sends a GET. */
function getUrl(system: TestSystem, query: string, variables?: Record<string, unknown>): string {
  const params = new URLSearchParams({ query });
  if (variables) params.set('variables', JSON.stringify(variables));
  return `${system.url}?${params}`;
}

async function post(system: TestSystem, body: string) {
  const response = await request(system.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.statusCode, contentType: String(response.headers['content-type'] ?? ''), body: await response.body.text() };
}

/** The contract: no error shows a stack trace, a file path or an internal address. */
function expectNoInternals(body: string): void {
  expect(body).not.toMatch(/<html|\bat .+:\d+:\d+|node_modules|\.[jt]s:\d+|127\.0\.0\.1|localhost|http:\/\//i);
}

describe('in development', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ env: { NODE_ENV: 'development' } });
  });
  afterAll(async () => {
    await system?.close();
  });

  it('answers /healthz with 200', async () => {
    const response = await get(`${system.gateway.origin}/healthz`);

    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 when every subgraph is up', async () => {
    const response = await get(`${system.gateway.origin}/readyz`);

    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ ready: true, subgraphs: Object.fromEntries(SUBGRAPHS.map((name) => [name, 'up'])) });
  });

  it('serves a contract query sent as an HTTP GET', async () => {
    const response = await get(getUrl(system, contractOperation('NearbyStores'), { lat: 31.23, lng: 121.47, first: 3 }));

    expect(response.status).toBe(200);
    const body = JSON.parse(response.body);
    expect(body.errors).toBeUndefined();
    expect(body.data.nearbyStores).toHaveLength(3);
    expect(body.data.nearbyStores.every((s: { isOpen: boolean }) => s.isOpen)).toBe(true);
  });

  it('serves an authenticated query sent as an HTTP GET', async () => {
    const token = await tokenFor(customer('u7'));

    const response = await get(getUrl(system, contractOperation('Me')), { authorization: `Bearer ${token}` });

    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).data.me).toMatchObject({ id: 'u7', isFirstOrder: false });
  });

  it('refuses a mutation sent as an HTTP GET and changes nothing', async () => {
    const token = await tokenFor(customer('u7'));
    const before = await graphql<{ me: { orders: { edges: Array<{ node: { id: string; status: string } }> } } }>(
      system.url, contractOperation('MyOrders'), { first: 1 }, { principal: customer('u7') },
    );
    const newest = before.data!.me.orders.edges[0]!.node;
    expect(newest.status).toBe('PLACED');

    const response = await get(getUrl(system, contractOperation('CancelOrder'), { id: newest.id }), { authorization: `Bearer ${token}` });

    expect(response.status).toBe(405);
    const after = await graphql<{ order: { status: string } }>(system.url, 'query ($id: ID!) { order(id: $id) { status } }', { id: newest.id }, { principal: customer('u7') });
    expect(after.data?.order.status).toBe('PLACED');
  });

  it('serves the Sandbox landing page to a browser asking for HTML', async () => {
    const response = await get(system.url, { accept: 'text/html' });

    expect(response.status).toBe(200);
    expect(response.contentType).toContain('text/html');
    expect(response.body).toContain('<!DOCTYPE html>');
    expect(response.body).toContain('embeddable-sandbox');
  });

  it('answers a body that is not JSON with BAD_USER_INPUT as JSON, not an HTML page with a stack trace', async () => {
    const response = await post(system, '{"query": "{ __typename ');

    expect(response.status).toBe(400);
    expect(response.contentType).toContain('application/json');
    expect(JSON.parse(response.body).errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
    expectNoInternals(response.body);
  });

  it('answers a body over the size limit with 413 and BAD_USER_INPUT as JSON, not an HTML page with a stack trace', async () => {
    const response = await post(system, JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(2 * 1024 * 1024) } }));

    expect(response.status).toBe(413);
    expect(response.contentType).toContain('application/json');
    expect(JSON.parse(response.body).errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
    expectNoInternals(response.body);
  });

  it('answers introspection, so that Sandbox can load the schema', async () => {
    const result = await graphql<{ __schema: { types: Array<{ name: string }> } }>(system.url, '{ __schema { types { name } } }');

    expect(result.errors).toBeUndefined();
    expect(result.data?.__schema.types.map((t) => t.name)).toContain('Order');
  });
});

describe('in production', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ env: { NODE_ENV: 'production' } });
  });
  afterAll(async () => {
    await system?.close();
  });

  it('serves the contract queries', async () => {
    const result = await graphql<{ store: { id: string; menu: unknown[] } }>(system.url, contractOperation('StoreMenu'), { storeId: 's3' });

    expect(result.errors).toBeUndefined();
    expect(result.data?.store.id).toBe('s3');
    expect(result.data?.store.menu.length).toBeGreaterThanOrEqual(20);
  });

  it('serves no landing page to a browser', async () => {
    const response = await get(system.url, { accept: 'text/html' });

    expect(response.status).not.toBe(200);
    expect(response.contentType).not.toContain('text/html');
    expect(response.body).not.toContain('<!DOCTYPE html>');
    expect(response.body).not.toMatch(/sandbox|landing/i);
  });

  it('answers a body that is not JSON with BAD_USER_INPUT as JSON', async () => {
    const response = await post(system, '{"query": ');

    expect(response.status).toBe(400);
    expect(response.contentType).toContain('application/json');
    expect(JSON.parse(response.body).errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
    expectNoInternals(response.body);
  });

  it('refuses introspection with GRAPHQL_VALIDATION_FAILED', async () => {
    const schema = await graphql(system.url, '{ __schema { types { name } } }');
    const type = await graphql(system.url, '{ __type(name: "Order") { fields { name } } }');

    expect(errorCodes(schema)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(schema.data ?? null).toBeNull();
    expect(errorCodes(type)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(type.data ?? null).toBeNull();
  });
});

describe('with a subgraph stopped', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem();
    await system.subgraphs.menu.server.close();
  });
  afterAll(async () => {
    // Closing the menu server a second time is a no-op, so the whole system closes as usual.
    await system?.close();
  });

  it('answers /readyz with 503 naming the subgraph that is down', async () => {
    const response = await get(`${system.gateway.origin}/readyz`);

    expect(response.status).toBe(503);
    expect(JSON.parse(response.body)).toEqual({
      ready: false,
      subgraphs: Object.fromEntries(SUBGRAPHS.map((name) => [name, name === 'menu' ? 'down' : 'up'])),
    });
  });

  it("still answers /healthz with 200: the gateway itself is alive", async () => {
    expect((await get(`${system.gateway.origin}/healthz`)).status).toBe(200);
  });

  it("still serves MyOrders, with the menu's fields null and SUBGRAPH_UNAVAILABLE naming menu", async () => {
    const result = await graphql<{ me: { orders: { edges: Array<{ node: { id: string; store: { name: string }; items: Array<{ menuItem: { id: string; name: string | null } }> } }> } } }>(
      system.url, contractOperation('MyOrders'), { first: 5 }, { principal: customer('u7') },
    );

    expect(errorCodes(result)).toContain('SUBGRAPH_UNAVAILABLE');
    expect(new Set(errorCodes(result))).toEqual(new Set(['SUBGRAPH_UNAVAILABLE']));
    expect(result.errors?.every((e) => e.extensions?.['subgraph'] === 'menu')).toBe(true);
    expect(JSON.stringify(result.errors)).not.toMatch(/127\.0\.0\.1|localhost|http:\/\/|ECONNREFUSED|stack/i);
    const nodes = result.data!.me.orders.edges.map((e) => e.node);
    expect(nodes).toHaveLength(5);
    expect(nodes.every((n) => n.store.name.length > 0)).toBe(true);
    expect(nodes.flatMap((n) => n.items).every((i) => i.menuItem.id.startsWith('i') && i.menuItem.name === null)).toBe(true);
  });
});

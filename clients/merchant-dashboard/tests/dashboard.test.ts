import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World } from '@ordergraph/common';
import {
  contractOperation, customer, graphql, merchant, startFaultProxy, startTestSystem, TEST_JWT_SECRET, TEST_WORLD, tokenFor,
  type FaultProxy, type TestSystem,
} from '@ordergraph/testkit';
import { startDashboard, type RunningDashboard } from '../src/server.js';

/**
 * The dashboard in a real browser (Debian's Chromium, driven by playwright-core) against the
 * whole system on MariaDB and Redis: the board loads over HTTP, new orders arrive over the
 * gateway's graphql-transport-ws subscription, and the buttons run the contract's mutations.
 */

const CHROMIUM = '/usr/bin/chromium';
const OPEN_STATUSES = ['PLACED', 'ACCEPTED', 'READY'];
/** Loading the board and connecting: a cold gateway plans StoreOrders for the first time. */
const BOARD_READY_MS = 10_000;
/** Reconnecting after the drop: the page's backoff is 0.5 s, 1 s, 2 s, … and the proxy refuses for about a second. */
const RECONNECT_MS = 15_000;

const world = new World(TEST_WORLD);
let system: TestSystem;
/** Talks to the gateway directly. */
let dashboard: RunningDashboard;
/** Talks to the gateway through a proxy the resume test cuts. */
let proxiedDashboard: RunningDashboard;
let proxy: FaultProxy;
let browser: Browser;

/** A port that was free a moment ago: the gateway's, so that the dashboards know its URL before it listens. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  const gatewayPort = await freePort();
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
  proxy = await startFaultProxy(gatewayUrl);
  const options = { host: '127.0.0.1', port: 0, production: false, jwtSecret: TEST_JWT_SECRET };
  dashboard = await startDashboard({ ...options, gatewayUrl });
  proxiedDashboard = await startDashboard({ ...options, gatewayUrl: proxy.url('/graphql') });
  system = await startTestSystem({
    ports: { gateway: gatewayPort },
    env: { CORS_ORIGINS: [dashboard.origin, proxiedDashboard.origin].join(',') },
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([dashboard?.close(), proxiedDashboard?.close()]);
  await proxy?.close();
  await system?.close();
});

type Data = Record<string, any>;

/** Places an order at seeded store `s<storeIndex>` as customer `customerId`, meeting the store's minimum. */
async function placeOrder(storeIndex: number, customerId: string) {
  const store = world.store(storeIndex);
  expect(store.isOpen).toBe(true);
  const item = world.menu(storeIndex).find((i) => i.available)!;
  const quantity = Math.ceil(store.minOrder / item.price);
  const result = await graphql<Data>(system.url, contractOperation('PlaceOrder'), {
    input: { storeId: store.id, items: [{ menuItemId: item.id, quantity }], idempotencyKey: randomUUID() },
  }, { principal: customer(customerId) });
  expect(result.errors).toBeUndefined();
  return { order: result.data!['placeOrder'], item, quantity };
}

/**
 * Opens the board of `s<storeIndex>` as its merchant (`#token=…&store=…`) and waits until it has
 * loaded and is live. `watch` sees the page before it loads; `uncaught` collects its exceptions.
 */
async function openBoard(origin: string, storeIndex: number, watch: (page: Page) => void = () => {}) {
  const page = await browser.newPage();
  const uncaught: string[] = [];
  page.on('pageerror', (error) => uncaught.push(error.message));
  watch(page);
  const token = await tokenFor(merchant(`m${storeIndex}`, `s${storeIndex}`));
  await page.goto(`${origin}/#token=${token}&store=s${storeIndex}`);
  await page.waitForSelector('#board[data-state="loaded"]', { timeout: BOARD_READY_MS });
  await page.waitForSelector('#connection[data-state="live"]', { timeout: BOARD_READY_MS });
  return { page, token, uncaught };
}

const row = (page: Page, orderId: string) => page.locator(`tr[data-order-id="${orderId}"]`);

describe('the merchant dashboard', () => {
  it("loads the store's open orders, shows a new order within a second of placeOrder, and accepts it and marks it ready", async () => {
    const { page: board, uncaught } = await openBoard(dashboard.origin, 3);

    const open = await graphql<Data>(system.url, contractOperation('StoreOrders'), { storeId: 's3', status: OPEN_STATUSES, first: 50 }, { principal: merchant('m3', 's3') });
    expect(open.errors).toBeUndefined();
    const openIds = open.data!['store'].orders.edges.map((e: Data) => e['node'].id);
    expect(openIds.length).toBeGreaterThan(0);
    expect(await board.locator('#orders tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-order-id')))).toEqual(openIds);

    const { order, item, quantity } = await placeOrder(3, 'u7');
    const answeredAt = Date.now();
    await row(board, order.id).waitFor({ timeout: 5_000 });
    expect(Date.now() - answeredAt, 'ms from the placeOrder response to the row').toBeLessThan(1_000);

    const placed = row(board, order.id);
    expect(await board.locator('#orders tr').first().getAttribute('data-order-id')).toBe(order.id);
    expect(await placed.locator('[data-status]').getAttribute('data-status')).toBe('PLACED');
    const text = await placed.innerText();
    expect(text).toContain(world.user(7).name);
    expect(text).toMatch(/\*+\d{4}/);
    expect(text).toContain(`${quantity} × ${item.name}`);
    expect(text).toContain((order.fees.payable.amount / 100).toFixed(2));

    await placed.locator('button[data-action="accept"]').click();
    await board.waitForSelector(`tr[data-order-id="${order.id}"] [data-status="ACCEPTED"]`, { timeout: 5_000 });
    await row(board, order.id).locator('button[data-action="ready"]').click();
    await board.waitForSelector(`tr[data-order-id="${order.id}"] [data-status="READY"]`, { timeout: 5_000 });

    expect(await row(board, order.id).count()).toBe(1);
    expect(await board.locator('#errors li').allInnerTexts()).toEqual([]);
    expect(uncaught).toEqual([]);
    await board.close();
  });

  it('after the connection drops, subscribes again after the last streamId it saw and shows the order placed meanwhile', async () => {
    const sent: Data[] = [];
    const received: Data[] = [];
    const { page, token, uncaught } = await openBoard(proxiedDashboard.origin, 4, (p) =>
      p.on('websocket', (socket) => {
        socket.on('framesent', ({ payload }) => sent.push(JSON.parse(String(payload))));
        socket.on('framereceived', ({ payload }) => received.push(JSON.parse(String(payload))));
      }),
    );

    const before = await placeOrder(4, 'u8');
    await row(page, before.order.id).waitFor({ timeout: 5_000 });
    const lastSeen = received.filter((m) => m['type'] === 'next').at(-1)?.['payload'].extensions.streamId;
    expect(lastSeen).toEqual(expect.any(String));

    await proxy.set({ kind: 'refuse' });
    await page.waitForSelector('#connection[data-state="reconnecting"]', { timeout: 5_000 });
    const meanwhile = await placeOrder(4, 'u9');
    // Down long enough for the page's first reconnect (after 0.5 s) to be refused too: it backs off and tries again.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await proxy.set({ kind: 'pass' });

    await row(page, meanwhile.order.id).waitFor({ timeout: RECONNECT_MS });
    const subscribes = sent.filter((m) => m['type'] === 'subscribe');
    expect(sent.filter((m) => m['type'] === 'connection_init').every((m) => m['payload'].authorization === `Bearer ${token}`)).toBe(true);
    expect(subscribes[0]!['payload']).toMatchObject({ query: contractOperation('StoreOrderEvents'), variables: { storeId: 's4' } });
    expect(subscribes[0]!['payload'].extensions?.resumeAfter).toBeUndefined();
    expect(subscribes.at(-1)!['payload']).toMatchObject({ query: contractOperation('StoreOrderEvents'), variables: { storeId: 's4' }, extensions: { resumeAfter: lastSeen } });
    expect(await row(page, before.order.id).count()).toBe(1);
    expect(await row(page, meanwhile.order.id).count()).toBe(1);
    expect(uncaught).toEqual([]);
    await page.close();
  });

  it("shows the gateway's code when it refuses the token, and stops trying to go live with it", async () => {
    const page = await browser.newPage();
    const forged = await tokenFor(merchant('m3', 's3'), 'not-the-gateway-secret-at-all');

    await page.goto(`${dashboard.origin}/#token=${forged}&store=s3`);

    await page.waitForSelector('#errors li[data-error-code="UNAUTHENTICATED"]', { timeout: BOARD_READY_MS });
    await page.waitForSelector('#connection[data-state="stopped"]', { timeout: BOARD_READY_MS });
    expect(await page.locator('#orders tr').count()).toBe(0);
    await page.close();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { startTestSystem, type TestSystem } from '@ordergraph/testkit';

/** 20,000 requests against a subgraph that never answers must cost bounded memory and sockets. */
const REQUESTS = 20_000;
const CONCURRENCY = 64;
const HEAP_GROWTH_CEILING_MB = 64;
const MENU_CONNECTIONS = 16;

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({
    proxied: ['menu'],
    env: { SUBGRAPH_MENU_TIMEOUT_MS: '100', SUBGRAPH_MENU_CONNECTIONS: String(MENU_CONNECTIONS), SUBGRAPH_MENU_MAX_CONCURRENT: String(MENU_CONNECTIONS) },
  });
});
afterAll(async () => {
  await system?.close();
});

const gc = () => (globalThis as { gc?: () => void }).gc?.();
const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};
const tcpHandles = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

async function hammer(pool: Pool, count: number): Promise<Map<string, number>> {
  const codes = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      // Different items, so that no request is joined to another already in flight.
      const body = JSON.stringify({ query: `{ menuItem(id: "i${(i % 20) + 1}-${(i % 25) + 1}") { id name } }` });
      const response = await pool.request({ path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const result = (await response.body.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
      const code = result.errors?.[0]?.extensions?.code ?? 'OK';
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return codes;
}

describe('a hanging subgraph under load', () => {
  it(`leaves the gateway's heap and open sockets bounded after ${REQUESTS} requests`, async () => {
    const pool = new Pool(new URL(system.url).origin, { connections: CONCURRENCY });
    try {
      await hammer(pool, 500);
      await system.proxies.menu!.set({ kind: 'hang' });
      await hammer(pool, 500);
      const heapBefore = heapMb();
      const started = performance.now();

      const codes = await hammer(pool, REQUESTS);

      const seconds = (performance.now() - started) / 1_000;
      const heapAfter = heapMb();
      const handles = tcpHandles();
      console.log({ seconds: seconds.toFixed(1), codes: Object.fromEntries(codes), heapBeforeMb: heapBefore.toFixed(1), heapAfterMb: heapAfter.toFixed(1), tcpHandles: handles, proxySockets: system.proxies.menu!.stats.openSockets });

      expect([...codes.values()].reduce((a, b) => a + b, 0)).toBe(REQUESTS);
      expect(codes.get('OK')).toBeUndefined();
      // Every request failed fast or timed out, each naming menu.
      expect([...codes.keys()].every((c) => ['SUBGRAPH_UNAVAILABLE', 'SUBGRAPH_TIMEOUT'].includes(c))).toBe(true);
      expect(heapAfter - heapBefore).toBeLessThan(HEAP_GROWTH_CEILING_MB);
      // The proxy holds at most the menu pool's sockets (and each is up to its client and its upstream side).
      expect(system.proxies.menu!.stats.openSockets).toBeLessThanOrEqual(2 * MENU_CONNECTIONS);
      // Our client's pool, the gateway's pools and the subgraphs' listeners: nothing grows with the request count.
      expect(handles).toBeLessThan(4 * CONCURRENCY + 6 * 64);
    } finally {
      await pool.close();
      await system.proxies.menu!.set({ kind: 'pass' });
    }
  }, 120_000);
});

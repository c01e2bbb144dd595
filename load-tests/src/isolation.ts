/**
 * Isolation under load: a steady mix of Me, NearbyStores and MyOrders, healthy and then with
 * the menu subgraph hanging. Queries that do not touch menu should keep their p99.
 *   npm run bench:isolation [-- --seconds 20 --connections 8]
 * Runs the whole system in this process on the real MariaDB and Redis (TEST_MYSQL_URL, TEST_REDIS_URL).
 */
import { parseArgs } from 'node:util';
import { World } from '@ordergraph/common';
import { contractOperation, customer, startTestSystem, tokenFor, TEST_WORLD } from '@ordergraph/testkit';
import { formatTable, runLoad, type LoadResult } from './run-autocannon.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '15' }, connections: { type: 'string', default: '6' } } });
const durationS = Number(values.seconds);
const connections = Number(values.connections);

const system = await startTestSystem({ proxied: ['menu'], env: { SUBGRAPH_MENU_TIMEOUT_MS: '200' } });
try {
  const customers = Array.from({ length: TEST_WORLD.users }, (_, i) => i + 1).filter((i) => !World.neverOrders(i));
  const tokens = await Promise.all(customers.map(async (i) => `Bearer ${await tokenFor(customer(`u${i}`))}`));
  let turn = 0;
  const nextToken = () => tokens[turn++ % tokens.length]!;
  const specs = [
    { name: 'Me', query: contractOperation('Me'), variables: () => ({}) },
    { name: 'NearbyStores', query: contractOperation('NearbyStores'), variables: () => ({ lat: 31.2 + Math.random() / 20, lng: 121.45 + Math.random() / 20, first: 10 }) },
    { name: 'MyOrders', query: contractOperation('MyOrders'), variables: () => ({ first: 10 }) },
  ];
  const phase = async (label: string): Promise<LoadResult[]> => {
    const results = await Promise.all(
      specs.map((spec) =>
        runLoad({
          name: spec.name,
          url: system.url,
          connections,
          durationS,
          next: () => ({ body: JSON.stringify({ query: spec.query, variables: spec.variables() }), authorization: nextToken() }),
        }),
      ),
    );
    console.log(`\n${label} (${durationS} s, ${connections} connections per query)`);
    console.log(formatTable(results.map((r) => ({ query: r.name, requests: r.requests, 'req/s': r.rps.toFixed(0), 'p50 ms': r.p50Ms, 'p99 ms': r.p99Ms, 'with errors': r.graphqlErrors, non2xx: r.non2xx }))));
    return results;
  };

  await runLoad({ name: 'warm-up', url: system.url, connections: 4, durationS: 3, next: () => ({ body: JSON.stringify({ query: specs[2]!.query }), authorization: nextToken() }) });
  const healthy = await phase('healthy');
  await system.proxies.menu!.set({ kind: 'hang' });
  const menuHangs = await phase('menu hangs');
  await system.proxies.menu!.set({ kind: 'pass' });

  console.log('\np99 with menu hanging ÷ p99 healthy (target ≤ 1.5 for queries that do not touch menu):');
  for (const [i, h] of healthy.entries()) {
    const m = menuHangs[i]!;
    console.log(`  ${h.name.padEnd(13)} ${(m.p99Ms / h.p99Ms).toFixed(2)}${h.name === 'MyOrders' ? '  (touches menu: its item names degrade to null)' : ''}`);
  }
  const ready = await fetch(new URL('/healthz', system.url));
  console.log(`gateway still up: /healthz ${ready.status}`);
} finally {
  await system.close();
}

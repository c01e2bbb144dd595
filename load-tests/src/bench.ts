/**
 * Our gateway against a stock @apollo/gateway and Hive Gateway: the same supergraph file, the same running
 * subgraphs (real MariaDB and Redis), the contract's MyOrders (first: 10) as each of a
 * hundred-odd customers in turn. Each gateway and the subgraphs run in processes of their
 * own; this process only generates load.
 *   npm run bench [-- --rounds 3 --seconds 10 --warm-up 3 --connections 16]
 *     Alternating rounds at fixed connections: every run, the medians, ours ÷ stock and ours ÷ hive for
 *     gateway CPU ms/request and req/s (bench-compare.ts says how CPU is measured).
 *   npm run bench -- --max-rate [--gateway ours|stock|hive|both|all --step-seconds 5 --warm-up 3]
 *     The highest steady rate with MyOrders p99 ≤ 40 ms, then with PlaceOrder p99 ≤ 150 ms.
 * LOG_LEVEL=error shows the gateways' errors as they happen, TEST_LOG_LEVEL=error the subgraphs'.
 */
import { parseArgs } from 'node:util';
import { contractOperation, graphql } from '@ordergraph/testkit';
import { compareGateways } from './bench-compare.js';
import { searchMaxRate } from './bench-max-rate.js';
import { GATEWAYS, startBenchServers, type BenchServers, type GatewayName } from './bench-servers.js';
import { customersWithFullPage, myOrders, placeOrder, rotatingTokens, type Workload } from './bench-workloads.js';
import { isStoppingOnSignal, stopAllChildren, stopChildrenOnSignal } from './child-process.js';

/** The latency targets, end to end as a client sees them. */
const MY_ORDERS_P99_TARGET_MS = 40;
const PLACE_ORDER_P99_TARGET_MS = 150;

const GATEWAY_CHOICES: Readonly<Record<string, readonly GatewayName[]>> = { ours: ['ours'], stock: ['stock'], hive: ['hive'], all: GATEWAYS, both: ['ours', 'stock'] };

function readOptions(args: string[]) {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      rounds: { type: 'string', default: '3' },
      seconds: { type: 'string', default: '10' },
      'warm-up': { type: 'string', default: '3' },
      connections: { type: 'string', default: '16' },
      'max-rate': { type: 'boolean', default: false },
      gateway: { type: 'string', default: 'ours' },
      'step-seconds': { type: 'string', default: '5' },
    },
  });
  const count = (name: keyof typeof values, min: number) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer ≥ ${min}; got ${JSON.stringify(values[name])}`);
    return value;
  };
  const gateways = Object.hasOwn(GATEWAY_CHOICES, values.gateway) ? GATEWAY_CHOICES[values.gateway] : undefined;
  if (!gateways) throw new Error(`--gateway must be one of ${Object.keys(GATEWAY_CHOICES).join(', ')}; got ${JSON.stringify(values.gateway)}`);
  return {
    maxRate: values['max-rate'],
    compare: { rounds: count('rounds', 1), seconds: count('seconds', 1), warmUpS: count('warm-up', 0), connections: count('connections', 1) },
    search: { gateways, stepSeconds: count('step-seconds', 1), warmUpS: count('warm-up', 0) },
  };
}

/** Every gateway answers MyOrders in full and without errors; different answers are worth a warning. */
async function checkMyOrders(servers: BenchServers, authorization: string): Promise<void> {
  const answers = new Set<string>();
  for (const [name, gateway] of servers.gateways) {
    const result = await graphql<{ me: { orders: { edges: unknown[] } } }>(gateway.ready.url, contractOperation('MyOrders'), { first: 10 }, { authorization });
    const edges = result.data?.me.orders.edges.length;
    if (result.errors || edges !== 10) throw new Error(`${name} gateway: MyOrders should answer 10 orders without errors; got ${edges} and ${JSON.stringify(result.errors)}`);
    answers.add(JSON.stringify(result.data));
  }
  if (answers.size > 1) console.warn('warning: the gateways answer MyOrders differently, so the comparison is not like for like');
}

async function checkPlaceOrder(servers: BenchServers, workload: Workload): Promise<void> {
  for (const [name, gateway] of servers.gateways) {
    const { body, authorization } = workload.next();
    const { query, variables } = JSON.parse(body) as { query: string; variables: Record<string, unknown> };
    const result = await graphql(gateway.ready.url, query, variables, { authorization });
    if (result.errors) throw new Error(`${name} gateway: PlaceOrder should succeed; got ${JSON.stringify(result.errors)}`);
  }
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  stopChildrenOnSignal();
  try {
    const servers = await startBenchServers(options.maxRate ? options.search.gateways : GATEWAYS);
    const customers = customersWithFullPage();
    const nextToken = await rotatingTokens(customers);
    await checkMyOrders(servers, nextToken());
    if (!options.maxRate) {
      console.log(`\nMyOrders (first: 10) as ${customers.length} customers in turn`);
      await compareGateways(servers, myOrders(nextToken), options.compare);
      return;
    }
    // MyOrders first: the orders PlaceOrder adds would become every customer's newest ten.
    const found = await searchMaxRate(servers, myOrders(nextToken), MY_ORDERS_P99_TARGET_MS, options.search);
    const orders = placeOrder(nextToken);
    await checkPlaceOrder(servers, orders);
    found.push(...(await searchMaxRate(servers, orders, PLACE_ORDER_P99_TARGET_MS, options.search)));
    console.log(`\n${found.join('\n')}`);
  } finally {
    await stopAllChildren();
  }
}

await main().catch((error: unknown) => {
  // After Ctrl-C the runs fail as their servers go away: no stack trace for that.
  if (!isStoppingOnSignal()) console.error(error);
  process.exitCode = 1;
});

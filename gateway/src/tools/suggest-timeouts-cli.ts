import { subgraphEnvPrefix } from '../resilience/options.js';
import { suggestTimeouts } from './suggest-timeouts.js';

/** npm run suggest-timeouts [-- http://gateway:4000]: reads a running gateway's /metrics and prints p999 + mean per subgraph. */
const origin = process.argv[2] ?? process.env['GATEWAY_URL'] ?? 'http://127.0.0.1:4000';
const response = await fetch(new URL('/metrics', origin));
if (!response.ok) {
  console.error(`GET ${origin}/metrics answered ${response.status}`);
  process.exit(1);
}
const suggestions = suggestTimeouts(await response.text());
if (suggestions.length === 0) {
  console.error('No subgraph latency recorded yet: send the gateway some traffic first.');
  process.exit(1);
}
const fixed = (n: number) => n.toFixed(1).padStart(8);
console.log(`${'subgraph'.padEnd(10)} ${'requests'.padStart(9)} ${'mean ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'p999 ms'.padStart(8)}  suggested timeout (p999 + mean)`);
for (const s of suggestions) {
  console.log(`${s.subgraph.padEnd(10)} ${String(s.count).padStart(9)} ${fixed(s.meanMs)} ${fixed(s.p99Ms)} ${fixed(s.p999Ms)}  ${subgraphEnvPrefix(s.subgraph)}TIMEOUT_MS=${s.suggestedTimeoutMs}`);
}

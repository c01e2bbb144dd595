import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { createLogger, createPeers, MemoryEventStream, openRedis, openSubgraphDb, readSharedConfig, World, DEFAULT_WORLD, type SubgraphName } from '@ordergraph/common';
import { SUBGRAPH_MODULES } from '@ordergraph/system';

/**
 * Replaces every subgraph's data with the deterministic world of the given size:
 * npm run seed -- --users 100000 --stores 5000 --riders 2000 --orders 1000000
 */
const { values } = parseArgs({
  options: {
    users: { type: 'string', default: String(DEFAULT_WORLD.users) },
    stores: { type: 'string', default: String(DEFAULT_WORLD.stores) },
    riders: { type: 'string', default: String(DEFAULT_WORLD.riders) },
    orders: { type: 'string', default: String(DEFAULT_WORLD.orders) },
  },
});
const log = createLogger('seed');
const config = readSharedConfig(process.env);
if (!config.mysql) {
  log.error('MYSQL_URL is not set: the embedded store lives inside `npm start` and seeds itself; point MYSQL_URL at a server to seed it');
  process.exit(2);
}
const world = new World({ users: Number(values.users), stores: Number(values.stores), riders: Number(values.riders), orders: Number(values.orders) });
const redis = openRedis(config.redisUrl, config.redisKeyPrefix);
const peers = createPeers(config);
// Seeding writes tables and keys only; no events are published for the seeded history.
const events = new MemoryEventStream();
const started = Date.now();
await Promise.all(
  (Object.keys(SUBGRAPH_MODULES) as SubgraphName[]).map(async (name) => {
    const module = SUBGRAPH_MODULES[name];
    const db = await openSubgraphDb(config, module);
    const deps = { config, db, redis, peers, events, metrics: new Registry(), log: log.child({ subgraph: name }) };
    const t0 = Date.now();
    await module.clear(deps);
    await module.seed(deps, world);
    log.info({ subgraph: name, ms: Date.now() - t0 }, 'seeded');
    await db.close();
  }),
);
redis?.disconnect();
log.info({ ...world.size, seconds: Math.round((Date.now() - started) / 1000) }, 'seed complete');
process.exit(0);

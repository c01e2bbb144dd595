import { Registry } from 'prom-client';
import { createLogger, createPeers, MemoryEventStream, openRedis, openSubgraphDb, readSharedConfig } from '@ordergraph/common';
import { rebuildPrecomputed, userSubgraph } from '@ordergraph/subgraph-user';

/**
 * npm run rebuild-precomputed: recomputes every user's first-order flag and waived delivery
 * fees from MySQL (through the order subgraph, which must be running) into Redis.
 */
const log = createLogger('rebuild-precomputed');
const config = readSharedConfig(process.env);
if (!config.mysql || !config.redisUrl) {
  log.error('MYSQL_URL and REDIS_URL must be set: on the embedded default the values live inside `npm start` and rebuild themselves');
  process.exit(2);
}
const db = await openSubgraphDb(config, userSubgraph);
const redis = openRedis(config.redisUrl, config.redisKeyPrefix)!;
const peers = createPeers(config);
const started = Date.now();
try {
  const users = await rebuildPrecomputed({ config, db, redis, peers, events: new MemoryEventStream(), metrics: new Registry(), log });
  log.info({ users, ms: Date.now() - started }, 'precomputed values rebuilt');
} finally {
  redis.disconnect();
  await db.close();
}
process.exit(0);

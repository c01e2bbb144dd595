import type { Redis } from 'ioredis';
import type { OrderStats } from './order-stats.js';
import { DELTAS_KEPT_PER_USER, DELTAS_TTL_MS, type PrecomputedStore, type PrecomputedValues, type StatsDelta } from './store.js';

/** Both keys of a customer share a hash tag, so that on Redis Cluster they live in one slot and one script may touch both. */
const valuesKey = (userId: string) => `precomputed:{${userId}}`;
const deltasKey = (userId: string) => `precomputed:{${userId}}:deltas`;

/** KEYS: values, deltas. ARGV: eventId, version, dActive, dWaived, kept, ttlMs. */
const APPLY = `
local floor = redis.call('HGET', KEYS[1], 'floor')
if floor and tonumber(ARGV[2]) <= tonumber(floor) then return 0 end
local member = ARGV[1] .. '|' .. ARGV[3] .. '|' .. ARGV[4]
if redis.call('ZADD', KEYS[2], 'NX', ARGV[2], member) == 0 then return 0 end
if floor then
  redis.call('HINCRBY', KEYS[1], 'active', ARGV[3])
  redis.call('HINCRBY', KEYS[1], 'waived', ARGV[4])
end
local size = redis.call('ZCARD', KEYS[2])
local kept = tonumber(ARGV[5])
if size > kept then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, size - kept - 1) end
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return 1`;

/** KEYS: values, deltas. ARGV: active, waived, floor, mode. */
const LOAD = `
local held = redis.call('HGET', KEYS[1], 'floor')
if held and (ARGV[4] == 'fill' or tonumber(held) > tonumber(ARGV[3])) then return 0 end
local active, waived = tonumber(ARGV[1]), tonumber(ARGV[2])
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[3], '+inf')) do
  local _, da, dw = string.match(member, '^(.*)|(-?%d+)|(-?%d+)$')
  active = active + tonumber(da)
  waived = waived + tonumber(dw)
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
redis.call('HSET', KEYS[1], 'active', active, 'waived', waived, 'floor', ARGV[3])
return 1`;

type ScriptedRedis = Redis & {
  precomputedApply(values: string, deltas: string, ...args: Array<string | number>): Promise<number>;
  precomputedLoad(values: string, deltas: string, ...args: Array<string | number>): Promise<number>;
};

export class RedisPrecomputedStore implements PrecomputedStore {
  private readonly redis: ScriptedRedis;

  constructor(redis: Redis) {
    redis.defineCommand('precomputedApply', { numberOfKeys: 2, lua: APPLY });
    redis.defineCommand('precomputedLoad', { numberOfKeys: 2, lua: LOAD });
    this.redis = redis as ScriptedRedis;
  }

  async get(ids: readonly string[]): Promise<Map<string, PrecomputedValues>> {
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(valuesKey(id), 'active', 'waived', 'floor');
    const results = (await pipeline.exec()) ?? [];
    const values = new Map<string, PrecomputedValues>();
    results.forEach(([error, reply], i) => {
      if (error) throw error;
      const [active, waived, floor] = reply as Array<string | null>;
      if (floor !== null && floor !== undefined) values.set(ids[i]!, { activeOrders: Number(active), waivedDeliveryFeeTotal: Number(waived) });
    });
    return values;
  }

  async apply(delta: StatsDelta): Promise<boolean> {
    const changed = await this.redis.precomputedApply(valuesKey(delta.userId), deltasKey(delta.userId),
      delta.eventId, delta.version, delta.activeOrders, delta.waivedDeliveryFeeTotal, DELTAS_KEPT_PER_USER, DELTAS_TTL_MS);
    return changed === 1;
  }

  async load(userId: string, snapshot: OrderStats, mode: 'fill' | 'rebuild'): Promise<void> {
    await this.redis.precomputedLoad(valuesKey(userId), deltasKey(userId),
      snapshot.activeOrders, snapshot.waivedDeliveryFeeTotal, snapshot.version, mode);
  }
}

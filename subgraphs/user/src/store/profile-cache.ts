import type { Redis } from 'ioredis';
import type { UserRecord } from './users.js';

/** Profiles change rarely (nothing here edits them); an hour bounds how stale a renamed user can look. */
const PROFILE_TTL_S = 3_600;
const profileKey = (id: string) => `user:{${id}}:profile`;

/** Profiles kept beside the precomputed values, so that Me runs no SQL while the cache answers. */
export interface ProfileCache {
  get(ids: readonly string[]): Promise<Map<string, UserRecord>>;
  set(users: readonly UserRecord[]): Promise<void>;
}

export class RedisProfileCache implements ProfileCache {
  constructor(private readonly redis: Redis) {}

  async get(ids: readonly string[]): Promise<Map<string, UserRecord>> {
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(profileKey(id), 'name', 'phone');
    const found = new Map<string, UserRecord>();
    ((await pipeline.exec()) ?? []).forEach(([error, reply], i) => {
      if (error) throw error;
      const [name, phone] = reply as Array<string | null>;
      if (name !== null && phone !== null && name !== undefined && phone !== undefined) found.set(ids[i]!, { id: ids[i]!, name, phone });
    });
    return found;
  }

  async set(users: readonly UserRecord[]): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const user of users) pipeline.hset(profileKey(user.id), 'name', user.name, 'phone', user.phone).expire(profileKey(user.id), PROFILE_TTL_S);
    await pipeline.exec();
  }
}

export class MemoryProfileCache implements ProfileCache {
  private readonly profiles = new Map<string, UserRecord>();

  async get(ids: readonly string[]): Promise<Map<string, UserRecord>> {
    return new Map(ids.flatMap((id) => (this.profiles.has(id) ? [[id, this.profiles.get(id)!] as const] : [])));
  }

  async set(users: readonly UserRecord[]): Promise<void> {
    for (const user of users) this.profiles.set(user.id, user);
  }
}

import DataLoader from 'dataloader';
import type { Logger, Queryable } from '@ordergraph/common';
import type { PrecomputedValues } from './precomputed/store.js';
import type { UserRuntime } from './runtime.js';
import { findUsersByIds, type UserRecord } from './store/users.js';

export interface Loaders {
  /** Key i gets the user with id keys[i], or null when there is none. */
  readonly userById: DataLoader<string, UserRecord | null>;
  /** Key i gets user keys[i]'s precomputed values; a failed lookup rejects that key. */
  readonly precomputedByUserId: DataLoader<string, PrecomputedValues>;
}

/**
 * Made once per request. Profiles come from the cache, and only the ones it lacks from one
 * SQL statement; precomputed values from the store, and only the ones it lacks from one call
 * to the order subgraph, made with the caller's own authorization.
 */
export function createLoaders(db: Queryable, runtime: UserRuntime, authorization: string | undefined, log: Logger): Loaders {
  return {
    userById: new DataLoader(async (ids) => {
      const held = await runtime.profiles.get(ids).catch((error: unknown) => {
        log.warn({ err: error }, 'profile cache unavailable: reading users from the database');
        return null;
      });
      const cached = held ?? new Map<string, UserRecord>();
      const missing = ids.filter((id) => !cached.has(id));
      if (held) {
        runtime.profileReads.inc({ cache: 'profile', result: 'hit' }, ids.length - missing.length);
        runtime.profileReads.inc({ cache: 'profile', result: 'miss' }, missing.length);
      } else {
        runtime.profileReads.inc({ cache: 'profile', result: 'error' }, ids.length);
      }
      if (missing.length > 0) {
        const found = await findUsersByIds(db, missing);
        for (const user of found) cached.set(user.id, user);
        await runtime.profiles.set(found).catch(() => undefined);
      }
      return ids.map((id) => cached.get(id) ?? null);
    }),
    precomputedByUserId: new DataLoader((ids) => runtime.precomputed.read(ids, authorization)),
  };
}

import type { SubgraphDeps } from '@ordergraph/common';
import { MemoryMoveThrottle, RedisMoveThrottle } from './move-throttle.js';
import { RiderMoves } from './rider-moves.js';

export * from './move-throttle.js';
export * from './rider-moves.js';

/** The throttle lives where the replicas meet: Redis when there is one, else this process. */
export function openRiderMoves(deps: Pick<SubgraphDeps, 'db' | 'redis' | 'events' | 'log'>): RiderMoves {
  const throttle = deps.redis ? new RedisMoveThrottle(deps.redis) : new MemoryMoveThrottle();
  return new RiderMoves({ db: deps.db, events: deps.events, throttle, log: deps.log });
}

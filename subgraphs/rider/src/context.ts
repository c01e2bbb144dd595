import type { BaseContext, Logger, Peers, Queryable } from '@ordergraph/common';
import type { Loaders } from './loaders.js';
import type { LocationStore } from './locations/index.js';
import type { RiderMoves } from './moves/index.js';

export interface RiderContext extends BaseContext {
  readonly db: Queryable;
  readonly locations: LocationStore;
  /** Tells customers following an order where its rider is. */
  readonly moves: RiderMoves;
  /** The order subgraph arbitrates delivery steps; the store subgraph says where stores are. */
  readonly peers: Peers;
  readonly log: Logger;
  readonly loaders: Loaders;
}

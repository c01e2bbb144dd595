import type { BaseContext, Peers, Queryable } from '@ordergraph/common';
import type { Loaders } from './loaders.js';

export interface UserContext extends BaseContext {
  readonly db: Queryable;
  readonly loaders: Loaders;
  readonly peers: Peers;
}

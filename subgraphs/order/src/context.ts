import type { BaseContext, Db, Peers } from '@ordergraph/common';
import type { Loaders } from './loaders.js';

export interface OrderContext extends BaseContext {
  readonly db: Db;
  readonly peers: Peers;
  readonly loaders: Loaders;
}

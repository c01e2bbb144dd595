import type { BaseContext, Queryable } from '@ordergraph/common';
import type { Loaders } from './loaders.js';

export interface StoreContext extends BaseContext {
  readonly db: Queryable;
  readonly loaders: Loaders;
}

import type { BaseContext, Queryable } from '@ordergraph/common';
import type { Loaders } from './loaders.js';

export interface MenuContext extends BaseContext {
  readonly db: Queryable;
  readonly loaders: Loaders;
}

import type { Migrations } from '@ordergraph/common';

export const migrations: Migrations = [
  [
    `CREATE TABLE menu_items (
      id VARCHAR(32) NOT NULL PRIMARY KEY,
      store_id VARCHAR(32) NOT NULL,
      position INT NOT NULL,
      name VARCHAR(200) NOT NULL,
      price INT NOT NULL,
      available INT NOT NULL
    )`,
    // Store.menu: one store's items (or a batch of stores') in menu order, straight off the index.
    'CREATE INDEX menu_items_store_position ON menu_items (store_id, position)',
  ],
];

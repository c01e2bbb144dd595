import type { Migrations } from '@ordergraph/common';

export const migrations: Migrations = [
  [
    `CREATE TABLE users (
      id VARCHAR(32) NOT NULL PRIMARY KEY,
      name VARCHAR(200) NOT NULL,
      phone VARCHAR(32) NOT NULL
    )`,
  ],
];

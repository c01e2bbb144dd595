import type { Migrations } from '@ordergraph/common';

export const migrations: Migrations = [
  [
    `CREATE TABLE stores (
      id VARCHAR(32) NOT NULL PRIMARY KEY,
      name VARCHAR(200) NOT NULL,
      address VARCHAR(400) NOT NULL,
      phone VARCHAR(32) NOT NULL,
      lat DOUBLE NOT NULL,
      lng DOUBLE NOT NULL,
      is_open INT NOT NULL,
      rating DOUBLE NOT NULL,
      delivery_fee INT NOT NULL,
      min_order INT NOT NULL,
      free_delivery_threshold INT NULL
    )`,
    // nearbyStores: open stores inside a latitude band, then longitude.
    'CREATE INDEX stores_open_lat_lng ON stores (is_open, lat, lng)',
  ],
];

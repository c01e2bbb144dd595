import type { Migrations } from '@ordergraph/common';

export const migrations: Migrations = [
  [
    // lat/lng hold locations only where Redis is absent (see locations/); otherwise they stay null.
    `CREATE TABLE riders (
      id VARCHAR(32) NOT NULL PRIMARY KEY,
      name VARCHAR(200) NOT NULL,
      phone VARCHAR(32) NOT NULL,
      lat DOUBLE NULL,
      lng DOUBLE NULL,
      location_updated_at_ms BIGINT NULL
    )`,
    // One row per order a rider took; the primary key is what lets only one insert per order succeed.
    `CREATE TABLE deliveries (
      order_id VARCHAR(40) NOT NULL PRIMARY KEY,
      rider_id VARCHAR(32) NOT NULL,
      user_id VARCHAR(32) NOT NULL,
      store_id VARCHAR(32) NOT NULL,
      status VARCHAR(16) NOT NULL,
      eta_minutes INT NULL,
      assigned_at_ms BIGINT NOT NULL,
      picked_up_at_ms BIGINT NULL,
      delivered_at_ms BIGINT NULL
    )`,
    // A rider's deliveries, newest first (the rider app's history).
    'CREATE INDEX deliveries_rider_assigned ON deliveries (rider_id, assigned_at_ms)',
  ],
  [
    // A rider's deliveries under way, looked up on every location update: by (rider_id, status) it
    // reads those one or two rows, where (rider_id, assigned_at_ms) would read the rider's whole history.
    'CREATE INDEX deliveries_rider_status ON deliveries (rider_id, status)',
  ],
];

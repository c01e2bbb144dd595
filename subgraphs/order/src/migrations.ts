import type { Migrations } from '@ordergraph/common';

/** The outbox: the engines spell an auto-increment key differently, and agree on the rest. */
function outboxTable(seqColumn: string): string {
  return `CREATE TABLE order_events (
    ${seqColumn},
    event_id VARCHAR(40) NOT NULL,
    order_id VARCHAR(40) NOT NULL,
    store_id VARCHAR(32) NOT NULL,
    user_id VARCHAR(32) NOT NULL,
    type VARCHAR(20) NOT NULL,
    at_ms BIGINT NOT NULL,
    payload TEXT NOT NULL,
    published_at_ms BIGINT NULL
  )`;
}

export const migrations: Migrations = [
  [
    `CREATE TABLE orders (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      user_id VARCHAR(32) NOT NULL,
      store_id VARCHAR(32) NOT NULL,
      status VARCHAR(16) NOT NULL,
      rider_id VARCHAR(32) NULL,
      items_total INT NOT NULL,
      delivery_fee INT NOT NULL,
      delivery_fee_waived INT NOT NULL,
      idempotency_key VARCHAR(128) NULL,
      request_hash CHAR(64) NULL,
      cancel_reason VARCHAR(500) NULL,
      created_at_ms BIGINT NOT NULL,
      updated_at_ms BIGINT NOT NULL
    )`,
    // placeOrder's idempotency: one order per (customer, key), whatever the concurrency.
    'CREATE UNIQUE INDEX orders_user_idempotency ON orders (user_id, idempotency_key)',
    // MyOrders and StoreOrders: keyset pages, newest first.
    'CREATE INDEX orders_user_created ON orders (user_id, created_at_ms, id)',
    'CREATE INDEX orders_store_created ON orders (store_id, created_at_ms, id)',
    'CREATE INDEX orders_store_status_created ON orders (store_id, status, created_at_ms, id)',
    `CREATE TABLE order_items (
      order_id VARCHAR(40) NOT NULL,
      line_no INT NOT NULL,
      menu_item_id VARCHAR(32) NOT NULL,
      quantity INT NOT NULL,
      unit_price INT NOT NULL,
      PRIMARY KEY (order_id, line_no)
    )`,
    `CREATE TABLE order_status_history (
      order_id VARCHAR(40) NOT NULL,
      seq INT NOT NULL,
      status VARCHAR(16) NOT NULL,
      at_ms BIGINT NOT NULL,
      PRIMARY KEY (order_id, seq)
    )`,
    // Kept in the same transaction as the orders it sums: the arbiter of the first-order waiver.
    // version rises by one with each change, and the change's event carries it.
    `CREATE TABLE customer_order_stats (
      user_id VARCHAR(32) NOT NULL PRIMARY KEY,
      active_orders INT NOT NULL,
      waived_total BIGINT NOT NULL,
      version BIGINT NOT NULL DEFAULT 0
    )`,
    // The outbox: every change's event, written in the change's transaction while it holds the
    // order's row lock, so that seq orders each order's events as they were committed.
    {
      mysql: outboxTable('seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY'),
      embedded: outboxTable('seq INTEGER PRIMARY KEY AUTOINCREMENT'),
    },
    'CREATE UNIQUE INDEX order_events_event_id ON order_events (event_id)',
    // The relay's scan: unpublished events in commit order.
    'CREATE INDEX order_events_unpublished ON order_events (published_at_ms, seq)',
  ],
];

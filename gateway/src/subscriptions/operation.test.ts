import { buildSchema, getOperationAST, parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { prepareSubscription } from './operation.js';

const schema = buildSchema(`
  type Query { order(id: ID!): Order }
  type Subscription { storeOrderEvents(storeId: ID!): OrderEvent! orderUpdated(orderId: ID!): OrderEvent! }
  type OrderEvent { type: String! at: String! order: Order }
  type Order { id: ID! status: String! items(first: Int): [Item!]! }
  type Item { quantity: Int! name(locale: String): String }
`);

function prepare(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  return prepareSubscription(schema, { document, key: print(document) }, getOperationAST(document)!, variables);
}

describe('prepareSubscription', () => {
  it("reads the field and the id it filters by, from a literal or a variable", () => {
    expect(prepare('subscription { storeOrderEvents(storeId: "s3") { type } }')).toMatchObject({ field: 'storeOrderEvents', target: 's3', orderQuery: null });
    expect(prepare('subscription ($o: ID!) { live: orderUpdated(orderId: $o) { type } }', { o: 'o9' })).toMatchObject({ field: 'orderUpdated', target: 'o9' });
  });

  it("turns the event's order selection into an order(id:) query with the same alias, fragments and variables it uses, and no others", () => {
    const prepared = prepare(
      `subscription Board($s: ID!, $n: Int, $locale: String, $unused: Boolean) {
        storeOrderEvents(storeId: $s) {
          type
          ... on OrderEvent { mine: order { ...Lines } }
        }
      }
      fragment Lines on Order { id items(first: $n) { ...Name } }
      fragment Name on Item { name(locale: $locale) }
      fragment Unused on Order { status }`,
      { s: 's1', n: 2, locale: 'zh', unused: true },
    );
    expect(prepared!.orderQuery!.text).toBe(
      [
        'query Board($eventOrderId: ID!, $n: Int, $locale: String) {',
        '  mine: order(id: $eventOrderId) {',
        '    ...Lines',
        '  }',
        '}',
        '',
        'fragment Lines on Order {',
        '  id',
        '  items(first: $n) {',
        '    ...Name',
        '  }',
        '}',
        '',
        'fragment Name on Item {',
        '  name(locale: $locale)',
        '}',
      ].join('\n'),
    );
    expect(prepared!.orderQuery!.orderIdVariable).toBe('eventOrderId');
  });

  it('leaves out an order selection that @skip or @include turns off, and picks a variable name the operation does not use', () => {
    expect(prepare('subscription ($x: Boolean!) { orderUpdated(orderId: "o1") { type order @include(if: $x) { id } } }', { x: false })!.orderQuery).toBeNull();
    const prepared = prepare('subscription ($eventOrderId: ID!) { orderUpdated(orderId: $eventOrderId) { order { id } } }', { eventOrderId: 'o1' });
    expect(prepared!.orderQuery!.orderIdVariable).toBe('_eventOrderId');
  });

  it('gives equal keys to equal selections and variables only', () => {
    const a = prepare('subscription { storeOrderEvents(storeId: "s1") { type } }')!;
    const b = prepare('subscription {\n  storeOrderEvents(storeId: "s1") { type }\n}')!;
    const c = prepare('subscription { storeOrderEvents(storeId: "s2") { type } }')!;
    expect(a.key).toBe(b.key);
    expect(a.key).not.toBe(c.key);
  });
});

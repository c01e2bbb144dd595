import { describe, expect, it } from 'vitest';
import { buildSchema, Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { compileShaper } from './response-shape.js';
import { UnsupportedOperation } from './unsupported.js';

const schema = buildSchema(/* GraphQL */ `
  type Query { order(id: ID!): Order, orders: [Order!]!, node: Node, count: Int }
  interface Node { id: ID! }
  type Order implements Node { id: ID!, status: Status!, store: Store, items: [Item!]!, note: String }
  type Store implements Node { id: ID!, name: String!, rating: Float }
  type Item { name: String!, quantity: Int! }
  enum Status { PLACED ACCEPTED }
`);

function shaper(document: string, conditions: Record<string, boolean> = {}) {
  const parsed = parse(document);
  const operation = parsed.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    parsed.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  return compileShaper({ schema, rootType: schema.getQueryType()!, selectionSet: operation.selectionSet, fragments, conditions });
}

const errorsOf = (result: ReturnType<ReturnType<typeof shaper>>) => result.errors.map((e) => ({ message: e.message, path: e.path, code: e.extensions['code'] }));

describe('compileShaper', () => {
  it("keeps the client's fields under their aliases and drops what only the plan needed (keys, __typename)", () => {
    const shape = shaper('{ order(id: "1") { ref: id status store { name } } }');
    const result = shape({ order: { __typename: 'Order', id: '1', status: 'PLACED', store: { __typename: 'Store', id: 's', name: 'Noodles' }, ref: '1' } });
    expect(result).toEqual({ data: { order: { ref: '1', status: 'PLACED', store: { name: 'Noodles' } } }, errors: [] });
    expect(Object.keys(result.data!['order'] as object)).toEqual(['ref', 'status', 'store']);
  });

  it('bubbles a null in a non-null field up to the nearest nullable one, with one INVALID_GRAPHQL error naming it', () => {
    const shape = shaper('{ order(id: "1") { id store { id name } } }');
    const result = shape({ order: { id: '1', store: { id: 's' } } });
    expect(result.data).toEqual({ order: { id: '1', store: null } });
    expect(errorsOf(result)).toEqual([{ message: 'Cannot return null for non-nullable field Store.name.', path: ['order', 'store', 'name'], code: 'INVALID_GRAPHQL' }]);
  });

  it('nulls a whole non-null list for one null element, and the parent above it, reporting the element only', () => {
    const shape = shaper('{ order(id: "1") { id items { name } } }');
    const result = shape({ order: { id: '1', items: [{ name: 'a' }, null] } });
    expect(result.data).toEqual({ order: null });
    expect(errorsOf(result)).toEqual([{ message: 'Cannot return null for non-nullable array element of type Item at index 1.', path: ['order', 'items', 1], code: 'INVALID_GRAPHQL' }]);
  });

  it('nulls a leaf of the wrong type (and an unknown enum value) with an error', () => {
    const result = shaper('{ count order(id: "1") { note status } }')({ count: 'ten', order: { note: 'x', status: 'LOST' } });
    expect(result.data).toEqual({ count: null, order: null });
    expect(errorsOf(result).map((e) => e.message)).toEqual(['Invalid value found for field Query.count.', 'Invalid value found for field Order.status.']);
  });

  it("picks an interface's fragments by the object's __typename, and answers __typename under any alias", () => {
    const shape = shaper('{ node { t: __typename id ... on Store { name } ...O } } fragment O on Order { status }');
    expect(shape({ node: { __typename: 'Store', id: 's', name: 'Noodles' } }).data).toEqual({ node: { t: 'Store', id: 's', name: 'Noodles' } });
    expect(shape({ node: { __typename: 'Order', id: '1', status: 'PLACED' } }).data).toEqual({ node: { t: 'Order', id: '1', status: 'PLACED' } });
    const unknown = shape({ node: { __typename: 'Rider', id: 'r' } });
    expect(unknown.data).toEqual({ node: null });
    expect(unknown.errors[0]?.message).toBe('Invalid __typename found for object at field Query.node.');
  });

  it('compiles @skip and @include for the values it is given', () => {
    const document = 'query($a: Boolean!) { order(id: "1") { id @skip(if: $a) status @include(if: $a) } }';
    const input = { order: { id: '1', status: 'PLACED' } };
    expect(shaper(document, { a: true })(input).data).toEqual({ order: { status: 'PLACED' } });
    expect(shaper(document, { a: false })(input).data).toEqual({ order: { id: '1' } });
  });

  it("reads a field aliased like an Object.prototype member as the object's own, and refuses a __proto__ alias", () => {
    expect(shaper('{ order(id: "1") { constructor: note } }')({ order: {} }).data).toEqual({ order: { constructor: null } });
    expect(() => shaper('{ order(id: "1") { __proto__: note } }')).toThrow(UnsupportedOperation);
  });
});

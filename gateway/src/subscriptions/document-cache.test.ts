import { buildSchema, GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DocumentCache } from './document-cache.js';

const schema = buildSchema('type Query { a: Int } type Subscription { ticks: Int }');

describe('DocumentCache', () => {
  it('parses and validates a text once, and gives equal keys to texts that differ only in layout', () => {
    const cache = new DocumentCache(schema);
    const first = cache.get('subscription { ticks }');
    expect(cache.get('subscription { ticks }')).toBe(first);
    expect(first).not.toBeInstanceOf(GraphQLError);
    const spaced = cache.get('subscription {\n  ticks\n}');
    expect((spaced as { key: string }).key).toBe((first as { key: string }).key);
  });

  it("answers with the contract's codes for a text that does not parse or does not validate", () => {
    const cache = new DocumentCache(schema);
    expect((cache.get('subscription {') as GraphQLError).extensions['code']).toBe('GRAPHQL_PARSE_FAILED');
    const invalid = cache.get('subscription { nope }') as GraphQLError;
    expect(invalid.extensions['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(invalid.message).toContain('Cannot query field "nope"');
  });
});

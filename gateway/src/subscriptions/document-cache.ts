import { LRUCache } from 'lru-cache';
import { GraphQLError, parse, print, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { codedError, ErrorCode } from '@ordergraph/common';

export interface ParsedOperation {
  readonly document: DocumentNode;
  /** The document printed: equal for texts that differ only in layout, so their subscribers can share resolutions. */
  readonly key: string;
}

/**
 * Distinct operation texts kept parsed and validated. Clients send a handful of operations word
 * for word; a store's twenty dashboards then hold one document between them, not twenty.
 */
const CACHED_DOCUMENTS = 500;

/** Parses and validates subscribe messages once per distinct text; errors carry the contract's codes. */
export class DocumentCache {
  private readonly cache = new LRUCache<string, ParsedOperation | GraphQLError>({ max: CACHED_DOCUMENTS });

  constructor(private readonly schema: GraphQLSchema) {}

  get(query: string): ParsedOperation | GraphQLError {
    let entry = this.cache.get(query);
    if (!entry) {
      entry = this.parse(query);
      this.cache.set(query, entry);
    }
    return entry;
  }

  private parse(query: string): ParsedOperation | GraphQLError {
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      return codedError(ErrorCode.GRAPHQL_PARSE_FAILED, error instanceof GraphQLError ? error.message : 'The query could not be parsed.');
    }
    const invalid = validate(this.schema, document);
    if (invalid.length > 0) return codedError(ErrorCode.GRAPHQL_VALIDATION_FAILED, invalid.map((e) => e.message).join(' '));
    return { document, key: print(document) };
  }
}

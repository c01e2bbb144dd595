import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

/** The subgraphs in the order the supergraph lists them, with the contract's default addresses. */
export const SUBGRAPHS = [
  { name: 'store', url: 'http://127.0.0.1:4001/graphql' },
  { name: 'menu', url: 'http://127.0.0.1:4002/graphql' },
  { name: 'user', url: 'http://127.0.0.1:4003/graphql' },
  { name: 'order', url: 'http://127.0.0.1:4004/graphql' },
  { name: 'rider', url: 'http://127.0.0.1:4005/graphql' },
] as const;

export const SUPERGRAPH_PATH = fileURLToPath(new URL('../supergraph.graphql', import.meta.url));

/** Each subgraph keeps its SDL beside its resolvers; composition reads those files and nothing else. */
export function subgraphSdlPath(name: string): string {
  return fileURLToPath(new URL(`../../subgraphs/${name}/src/schema.graphql`, import.meta.url));
}

export class CompositionFailedError extends Error {
  constructor(readonly messages: readonly string[]) {
    super(`Composition failed:\n${messages.map((m) => `  - ${m}`).join('\n')}`);
    this.name = 'CompositionFailedError';
  }
}

/** Composes the five subgraph SDLs into supergraph SDL; throws with every composition error. */
export function composeSupergraph(): string {
  const result = composeServices(
    SUBGRAPHS.map(({ name, url }) => ({
      name,
      url,
      typeDefs: parse(readFileSync(subgraphSdlPath(name), 'utf8')),
    })),
  );
  if (result.errors) throw new CompositionFailedError(result.errors.map((e) => e.message));
  return result.supergraphSdl;
}

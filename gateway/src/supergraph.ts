import { readFileSync } from 'node:fs';
import { Supergraph } from '@apollo/federation-internals';
import { subgraphUrlVariable, type GatewayConfig } from './config.js';

export interface LoadedSupergraph {
  readonly sdl: string;
  /** Each subgraph with the URL it is reached at: SUBGRAPH_<NAME>_URL where set, else the supergraph's. */
  readonly subgraphs: ReadonlyArray<{ readonly name: string; readonly url: string }>;
}

/** Reads and validates the supergraph file; the gateway serves whatever graph it holds. */
export function loadSupergraph(config: Pick<GatewayConfig, 'supergraphPath' | 'subgraphUrls'>): LoadedSupergraph {
  const sdl = readFileSync(config.supergraphPath, 'utf8');
  const subgraphs = Supergraph.build(sdl).subgraphsMetadata().map(({ name, url }) => ({
    name,
    url: config.subgraphUrls[subgraphUrlVariable(name)] ?? url,
  }));
  return { sdl, subgraphs };
}

import { startGateway, type RunningGateway } from '@ordergraph/gateway';
import { readGatewayConfig } from '@ordergraph/gateway/config';
import {
  bootSubgraph, closePeers, createPeers, DEFAULT_PORTS, MemoryEventStream, SUBGRAPH_NAMES, World,
  type BaseContext, type BootedSubgraph, type Logger, type SharedConfig, type SubgraphModule, type SubgraphName,
} from '@ordergraph/common';
import { menuSubgraph } from '@ordergraph/subgraph-menu';
import { orderSubgraph } from '@ordergraph/subgraph-order';
import { riderSubgraph } from '@ordergraph/subgraph-rider';
import { storeSubgraph } from '@ordergraph/subgraph-store';
import { userSubgraph } from '@ordergraph/subgraph-user';

/** The five subgraphs by name. */
export const SUBGRAPH_MODULES: Readonly<Record<SubgraphName, SubgraphModule<BaseContext>>> = {
  store: storeSubgraph as unknown as SubgraphModule<BaseContext>,
  menu: menuSubgraph as unknown as SubgraphModule<BaseContext>,
  user: userSubgraph as unknown as SubgraphModule<BaseContext>,
  order: orderSubgraph as unknown as SubgraphModule<BaseContext>,
  rider: riderSubgraph as unknown as SubgraphModule<BaseContext>,
};

export interface SystemOptions {
  readonly config: SharedConfig;
  /** What the gateway reads its own settings from (SUBGRAPH_TIMEOUT_MS, …). */
  readonly env: Record<string, string | undefined>;
  readonly logFor: (service: string) => Logger;
  /** Listening ports; the contract's by default, 0 for any free port (tests). */
  readonly ports?: Partial<Record<SubgraphName | 'gateway', number>>;
  /**
   * Where the gateway and the subgraphs reach subgraph `name`, given where it listens.
   * By default the configured SUBGRAPH_<NAME>_URL; tests put a fault proxy here.
   */
  readonly route?: (name: SubgraphName, listening: string) => string;
  /** The world seeded into empty databases. */
  readonly world?: World;
}

export interface RunningSystem {
  readonly subgraphs: Readonly<Record<SubgraphName, BootedSubgraph>>;
  readonly gateway: RunningGateway;
  close(): Promise<void>;
}

/** The whole system in one process: what `npm start` and the tests run. Each service listens on its own port. */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const { config, env, logFor } = options;
  const route = options.route ?? ((name: SubgraphName) => config.subgraphUrls[name]);
  const listening = new Map<SubgraphName, string>();
  const address = (name: SubgraphName) => {
    const url = listening.get(name);
    if (!url) throw new Error(`subgraph ${name} is not listening yet`);
    return route(name, url);
  };
  // Subgraphs call each other only while serving, by which time every one listens.
  const peers = createPeers(config, address);
  const world = options.world ?? new World();
  // Without Redis, the five share one in-process stream, as they share the process.
  const events = config.redisUrl ? undefined : new MemoryEventStream();
  const entries = await Promise.all(
    SUBGRAPH_NAMES.map(async (name) => {
      const booted = await bootSubgraph(SUBGRAPH_MODULES[name], {
        config,
        port: options.ports?.[name] ?? DEFAULT_PORTS[name],
        log: logFor(name),
        peers,
        ...(events ? { events } : {}),
        world,
        seedIfEmpty: true,
      });
      listening.set(name, `${booted.server.origin}/graphql`);
      return [name, booted] as const;
    }),
  );
  const urlVariables = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`SUBGRAPH_${name.toUpperCase()}_URL`, address(name)]));
  const gateway = await startGateway(
    readGatewayConfig({ ...env, ...urlVariables, PORT: String(options.ports?.gateway ?? env['GATEWAY_PORT'] ?? DEFAULT_PORTS.gateway) }),
    logFor('gateway'),
    events ? { events } : {},
  );
  return {
    subgraphs: Object.fromEntries(entries) as Record<SubgraphName, BootedSubgraph>,
    gateway,
    close: async () => {
      await gateway.close();
      await Promise.all(entries.map(([, booted]) => booted.close()));
      await closePeers(peers);
      await events?.close();
    },
  };
}

import { Agent, request } from 'undici';

/** Readiness answers are reused this long, so that probes never multiply into subgraph load. */
const READINESS_CACHE_MS = 1_000;
const PROBE_TIMEOUT_MS = 1_000;

export interface ReadinessReport {
  readonly ready: boolean;
  readonly subgraphs: Record<string, 'up' | 'down'>;
}

/** /readyz: the supergraph is loaded and every subgraph answers a trivial GraphQL query. */
export function createReadinessCheck(subgraphs: ReadonlyArray<{ name: string; url: string }>, isLoaded: () => boolean) {
  const agent = new Agent({ connections: 1, keepAliveTimeout: 10_000 });
  let cached: { at: number; report: Promise<ReadinessReport> } | undefined;

  async function probe(url: string): Promise<'up' | 'down'> {
    try {
      const response = await request(url, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      const body = (await response.body.json()) as { data?: { __typename?: string } };
      return response.statusCode === 200 && body.data?.__typename === 'Query' ? 'up' : 'down';
    } catch {
      return 'down';
    }
  }

  async function check(): Promise<ReadinessReport> {
    const results = await Promise.all(subgraphs.map(async ({ name, url }) => [name, await probe(url)] as const));
    const report = Object.fromEntries(results);
    return { ready: isLoaded() && results.every(([, state]) => state === 'up'), subgraphs: report };
  }

  return {
    check(): Promise<ReadinessReport> {
      const now = Date.now();
      if (!cached || now - cached.at > READINESS_CACHE_MS) cached = { at: now, report: check() };
      return cached.report;
    },
    close: () => agent.close(),
  };
}

import autocannon from 'autocannon';

export interface LoadResult {
  readonly name: string;
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  /** Responses whose GraphQL body carried errors. */
  readonly graphqlErrors: number;
}

export interface LoadSpec {
  readonly name: string;
  readonly url: string;
  readonly connections: number;
  readonly durationS: number;
  /** A new body (and token) for each request, so that the load is not one repeated query. */
  readonly next: () => { body: string; authorization?: string };
}

/** Runs one autocannon load; GraphQL errors are counted from the response bodies. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  let graphqlErrors = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: spec.durationS,
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => {
              const { body, authorization } = spec.next();
              return {
                ...request,
                body,
                headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
              };
            },
            onResponse: (_status, body) => {
              if (body.includes('"errors"')) graphqlErrors++;
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        resolve({
          name: spec.name,
          requests: result.requests.total,
          rps: result.requests.average,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          p999Ms: result.latency.p99_9,
          non2xx: result.non2xx,
          errors: result.errors,
          graphqlErrors,
        });
      },
    );
    instance.on('error', reject);
  });
}

export function formatTable(rows: ReadonlyArray<Record<string, string | number>>): string {
  const columns = Object.keys(rows[0] ?? {});
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padStart(widths[i]!)).join('  ');
  return [line(columns), ...rows.map((r) => line(columns.map((c) => String(r[c]))))].join('\n');
}

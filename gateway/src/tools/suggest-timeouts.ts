import { METRIC, LABEL } from '@ordergraph/telemetry';

/** One subgraph's observed latency and the timeout the seeds' rule gives it. */
export interface TimeoutSuggestion {
  readonly subgraph: string;
  readonly count: number;
  readonly meanMs: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  /** p999 + mean, rounded up to a whole millisecond. */
  readonly suggestedTimeoutMs: number;
}

interface Histogram {
  buckets: Map<number, number>;
  sum: number;
  count: number;
}

const LINE = /^(\w+)\{([^}]*)\}\s+(\S+)$/;
const LABEL_PAIR = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/**
 * Reads the per-subgraph attempt latency histogram from Prometheus text, keeping attempts that
 * got an answer (2xx/4xx): failures and timeouts say nothing about how long the subgraph takes.
 */
export function parseSubgraphLatency(text: string): Map<string, Histogram> {
  const histograms = new Map<string, Histogram>();
  for (const line of text.split('\n')) {
    const match = LINE.exec(line.trim());
    if (!match) continue;
    const [, name, rawLabels, rawValue] = match as unknown as [string, string, string, string];
    if (!name.startsWith(METRIC.subgraphRequestDuration)) continue;
    const labels = Object.fromEntries([...rawLabels.matchAll(LABEL_PAIR)].map((m) => [m[1], m[2]]));
    const subgraph = labels[LABEL.subgraph];
    const status = Number(labels[LABEL.status]);
    if (!subgraph || !(status >= 200 && status < 500)) continue;
    const histogram = histograms.get(subgraph) ?? { buckets: new Map<number, number>(), sum: 0, count: 0 };
    histograms.set(subgraph, histogram);
    const value = Number(rawValue);
    const suffix = name.slice(METRIC.subgraphRequestDuration.length);
    if (suffix === '_bucket') {
      const le = labels['le'] === '+Inf' ? Infinity : Number(labels['le']);
      histogram.buckets.set(le, (histogram.buckets.get(le) ?? 0) + value);
    } else if (suffix === '_sum') histogram.sum += value;
    else if (suffix === '_count') histogram.count += value;
  }
  return histograms;
}

/** The q-quantile in seconds, interpolated inside its bucket as Prometheus' histogram_quantile does. */
export function quantile(histogram: Histogram, q: number): number {
  const bounds = [...histogram.buckets.keys()].sort((a, b) => a - b);
  const total = histogram.buckets.get(Infinity) ?? histogram.count;
  if (total === 0) return 0;
  const rank = q * total;
  let previousBound = 0;
  let previousCount = 0;
  for (const bound of bounds) {
    const cumulative = histogram.buckets.get(bound) ?? 0;
    if (cumulative >= rank) {
      if (bound === Infinity) return previousBound;
      const inBucket = cumulative - previousCount;
      return previousBound + (bound - previousBound) * (inBucket === 0 ? 1 : (rank - previousCount) / inBucket);
    }
    previousBound = bound;
    previousCount = cumulative;
  }
  return previousBound;
}

/** The seeds' rule: a subgraph's timeout is its observed p999 latency plus its mean. */
export function suggestTimeouts(metricsText: string): TimeoutSuggestion[] {
  return [...parseSubgraphLatency(metricsText)]
    .filter(([, h]) => h.count > 0)
    .map(([subgraph, h]) => {
      const meanMs = (h.sum / h.count) * 1_000;
      const p999Ms = quantile(h, 0.999) * 1_000;
      return {
        subgraph,
        count: h.count,
        meanMs,
        p99Ms: quantile(h, 0.99) * 1_000,
        p999Ms,
        // Rounded to a microsecond first, so that float noise (50.000000001) does not add a millisecond.
        suggestedTimeoutMs: Math.ceil(Math.round((p999Ms + meanMs) * 1_000) / 1_000),
      };
    })
    .sort((a, b) => a.subgraph.localeCompare(b.subgraph));
}

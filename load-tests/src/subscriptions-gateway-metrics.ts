/**
 * What the subscriptions benchmark reads off the gateway's /metrics (same origin as /graphql):
 * its process's memory (prom-client's default metrics), and its own subscription and
 * per-operation counters, so that the benchmark asks the gateway rather than trusting itself.
 */
import { request } from 'undici';
import { LABEL, OPERATION_LABEL, OPERATION_METRIC, SUBSCRIPTION_METRIC } from '@ordergraph/telemetry';

/** One scrape: every sample, by metric name, with its labels. */
export class GatewayMetrics {
  private constructor(private readonly samples: ReadonlyMap<string, ReadonlyArray<{ labels: Record<string, string>; value: number }>>) {}

  static async scrape(graphqlUrl: string): Promise<GatewayMetrics> {
    const url = new URL('/metrics', graphqlUrl);
    const response = await request(url, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new Error(`GET ${url.href} should answer 200; got ${response.statusCode}: ${text.slice(0, 200)}`);
    return new GatewayMetrics(parseExposition(text));
  }

  /** The sum of a metric's samples whose labels include `labels` (0 when there are none). */
  sum(name: string, labels: Record<string, string> = {}): number {
    return (this.samples.get(name) ?? [])
      .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
      .reduce((total, sample) => total + sample.value, 0);
  }

  /** The samples of a metric, by the value of one label: e.g. connections closed by reason. */
  byLabel(name: string, label: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const sample of this.samples.get(name) ?? []) {
      const key = sample.labels[label] ?? '';
      out[key] = (out[key] ?? 0) + sample.value;
    }
    return out;
  }

  memory(): { rssBytes: number; heapUsedBytes: number } {
    return { rssBytes: this.sum('process_resident_memory_bytes'), heapUsedBytes: this.sum('nodejs_heap_size_used_bytes') };
  }

  subscriptions(field: string): { connections: number; active: number; delivered: number } {
    return {
      connections: this.sum(SUBSCRIPTION_METRIC.connections),
      active: this.sum(SUBSCRIPTION_METRIC.active, { [LABEL.field]: field }),
      delivered: this.sum(SUBSCRIPTION_METRIC.delivered, { [LABEL.field]: field }),
    };
  }

  /**
   * How often the gateway ran an operation through its pipeline, and for how long in all:
   * an event's `order` is resolved as a query named after the subscription operation.
   */
  operation(name: string, type: string): { count: number; seconds: number; errors: number } {
    const labels = { [OPERATION_LABEL.name]: name, [OPERATION_LABEL.type]: type };
    return {
      count: this.sum(`${OPERATION_METRIC.duration}_count`, labels),
      seconds: this.sum(`${OPERATION_METRIC.duration}_sum`, labels),
      errors: this.sum(OPERATION_METRIC.errors, { [OPERATION_LABEL.name]: name }),
    };
  }
}

/** /metrics answers in milliseconds; a gateway that takes seconds is itself a finding, not a reason to hang. */
const SCRAPE_TIMEOUT_MS = 10_000;

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The Prometheus text format's sample lines; comments (HELP, TYPE) skipped. */
function parseExposition(text: string): Map<string, Array<{ labels: Record<string, string>; value: number }>> {
  const samples = new Map<string, Array<{ labels: Record<string, string>; value: number }>>();
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (!match) continue;
    const [, name, labelText, value] = match as unknown as [string, string, string | undefined, string];
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (labelText ?? '').matchAll(LABEL_PAIR)) labels[key!] = raw!.replace(/\\(.)/g, '$1');
    let list = samples.get(name);
    if (!list) samples.set(name, (list = []));
    list.push({ labels, value: Number(value) });
  }
  return samples;
}

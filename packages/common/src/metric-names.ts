/** Metric names the subgraphs export (the gateway's are in gateway/src/telemetry/names.ts). */
export const PRECOMPUTED_METRIC = {
  /** Labelled result: hit, fill, fallback. */
  reads: 'ordergraph_precomputed_reads_total',
} as const;

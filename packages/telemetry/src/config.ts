import { z } from 'zod';

/**
 * Tracing settings from the standard OTEL_* variables, read once at the edge (a service's
 * index.ts, runSubgraph, the all-in-one launcher) and passed down frozen. Only the subset
 * this project acts on is read here; the OTLP exporter itself still honours
 * OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT and _COMPRESSION, and the batch processor OTEL_BSP_*.
 */
export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

const envSchema = z.object({
  OTEL_SDK_DISABLED: z.enum(['true', 'false']).default('false'),
  /** Unset: OTLP when an endpoint is set, no exporter (and no tracing) otherwise. */
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'console', 'none']).optional(),
  /** The collector's base URL; traces go to `<endpoint>/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  /** The full traces URL, used as it is; wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.string().optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.string().optional(),
  OTEL_TRACES_SAMPLER: z.enum(SAMPLERS).default('parentbased_always_on'),
  /** The ratio of the *traceidratio samplers, 0 to 1. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** `key=value,key=value`, values percent-encoded. */
  OTEL_RESOURCE_ATTRIBUTES: z.string().optional(),
});

/** The spec's default when only OTEL_TRACES_EXPORTER=otlp is set: a collector on this host. */
const DEFAULT_OTLP_TRACES_URL = 'http://localhost:4318/v1/traces';

export type TraceExport = { readonly kind: 'otlp'; readonly url: string } | { readonly kind: 'console' };

export interface TelemetryConfig {
  /** Null: tracing is off, nothing is installed, and log lines carry no trace ids. */
  readonly export: TraceExport | null;
  readonly sampler: SamplerName;
  /** Used by the *traceidratio samplers. */
  readonly samplerRatio: number;
  /** Replaces the service name the edge passes, as OTEL_SERVICE_NAME does everywhere. */
  readonly serviceName: string | null;
  readonly resourceAttributes: Readonly<Record<string, string>>;
}

export class TelemetryConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TelemetryConfigError';
  }
}

export function isTelemetryConfigError(error: unknown): error is TelemetryConfigError {
  return error instanceof TelemetryConfigError;
}

/** Validates the OTEL_* variables; every problem is listed with the variable's name. */
export function readTelemetryConfig(env: Record<string, string | undefined>): TelemetryConfig {
  const parsed = envSchema.safeParse(withoutEmpty(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new TelemetryConfigError(`Invalid telemetry configuration:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  // Traces are sent as OTLP/HTTP with JSON bodies, which every collector's :4318 takes beside
  // protobuf; gRPC is another port and another client, so asking for it is a mistake to report.
  const protocol = e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? e.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (protocol !== undefined && protocol !== 'http/json' && protocol !== 'http/protobuf') {
    throw new TelemetryConfigError(
      `OTEL_EXPORTER_OTLP_PROTOCOL must be http/json or http/protobuf (traces are sent as OTLP over HTTP, port 4318); got ${JSON.stringify(protocol)}.`,
    );
  }
  return Object.freeze({
    export: e.OTEL_SDK_DISABLED === 'true' ? null : chooseExport(e),
    sampler: e.OTEL_TRACES_SAMPLER,
    samplerRatio: e.OTEL_TRACES_SAMPLER_ARG ?? 1,
    serviceName: e.OTEL_SERVICE_NAME ?? null,
    resourceAttributes: Object.freeze(parseResourceAttributes(e.OTEL_RESOURCE_ATTRIBUTES)),
  });
}

function chooseExport(e: z.infer<typeof envSchema>): TraceExport | null {
  const url = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (e.OTEL_EXPORTER_OTLP_ENDPOINT ? `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` : undefined);
  switch (e.OTEL_TRACES_EXPORTER) {
    case 'none':
      return null;
    case 'console':
      return { kind: 'console' };
    case 'otlp':
      return { kind: 'otlp', url: url ?? DEFAULT_OTLP_TRACES_URL };
    case undefined:
      return url ? { kind: 'otlp', url } : null;
  }
}

function parseResourceAttributes(raw: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      if (pair.trim()) throw new TelemetryConfigError(`OTEL_RESOURCE_ATTRIBUTES must be key=value pairs separated by commas; got ${JSON.stringify(pair)}.`);
      continue;
    }
    attributes[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return attributes;
}

/** The spec treats an empty variable as unset. */
function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[0].startsWith('OTEL_') && !!entry[1]));
}

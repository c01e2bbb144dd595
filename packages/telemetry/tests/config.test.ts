import { describe, expect, it } from 'vitest';
import { isTelemetryConfigError, readTelemetryConfig } from '../src/config.js';

describe('readTelemetryConfig', () => {
  it('turns tracing off when no exporter or endpoint is set, and when a variable is set but empty', () => {
    expect(readTelemetryConfig({}).export).toBeNull();
    expect(readTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }).export).toBeNull();
  });

  it('exports OTLP over HTTP to <endpoint>/v1/traces once OTEL_EXPORTER_OTLP_ENDPOINT is set', () => {
    expect(readTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).export).toEqual({ kind: 'otlp', url: 'http://collector:4318/v1/traces' });
  });

  it('uses OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is, over the base endpoint', () => {
    const config = readTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/in' });
    expect(config.export).toEqual({ kind: 'otlp', url: 'http://traces:9999/in' });
  });

  it('follows OTEL_TRACES_EXPORTER: otlp defaults to a collector on localhost, none and OTEL_SDK_DISABLED turn tracing off', () => {
    expect(readTelemetryConfig({ OTEL_TRACES_EXPORTER: 'otlp' }).export).toEqual({ kind: 'otlp', url: 'http://localhost:4318/v1/traces' });
    expect(readTelemetryConfig({ OTEL_TRACES_EXPORTER: 'console' }).export).toEqual({ kind: 'console' });
    expect(readTelemetryConfig({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).export).toBeNull();
    expect(readTelemetryConfig({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).export).toBeNull();
  });

  it('reads the sampler and its ratio, parent-based always-on by default', () => {
    expect(readTelemetryConfig({})).toMatchObject({ sampler: 'parentbased_always_on', samplerRatio: 1 });
    expect(readTelemetryConfig({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' })).toMatchObject({
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.25,
    });
  });

  it('reads the service name and resource attributes, percent-decoded', () => {
    const config = readTelemetryConfig({ OTEL_SERVICE_NAME: 'menu-eu', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod, team=food%20ops' });
    expect(config.serviceName).toBe('menu-eu');
    expect(config.resourceAttributes).toEqual({ 'deployment.environment': 'prod', team: 'food ops' });
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      readTelemetryConfig({ OTEL_TRACES_SAMPLER: 'sometimes', OTEL_TRACES_SAMPLER_ARG: '2', OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' });
    } catch (caught) {
      error = caught;
    }
    expect(isTelemetryConfigError(error)).toBe(true);
    expect((error as Error).message).toMatch(/OTEL_TRACES_SAMPLER:/);
    expect((error as Error).message).toMatch(/OTEL_TRACES_SAMPLER_ARG:/);
    expect((error as Error).message).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT:/);
  });

  it('refuses OTLP over gRPC, which this build does not send', () => {
    expect(() => readTelemetryConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317' })).toThrow(
      'OTEL_EXPORTER_OTLP_PROTOCOL must be http/json or http/protobuf (traces are sent as OTLP over HTTP, port 4318); got "grpc".',
    );
  });

  it('refuses resource attributes that are not key=value pairs', () => {
    expect(() => readTelemetryConfig({ OTEL_RESOURCE_ATTRIBUTES: 'team' })).toThrow('OTEL_RESOURCE_ATTRIBUTES must be key=value pairs separated by commas; got "team".');
  });
});

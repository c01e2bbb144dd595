import { pino, type DestinationStream, type Logger } from 'pino';
import { traceLogFields } from '@ordergraph/telemetry';

export type { DestinationStream, Logger };

/**
 * One JSON-lines logger per service; tokens and phone numbers never reach it. Lines written
 * while a request is served carry its trace_id and span_id. `destination` defaults to stdout.
 */
export function createLogger(service: string, level = process.env['LOG_LEVEL'] ?? 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      name: service,
      level,
      mixin: traceLogFields,
      redact: {
        paths: [
          'authorization', '*.authorization', 'headers.authorization', 'phone', '*.phone',
          // Errors carry what failed with its values: mysql2 the statement with them bound, ioredis the command's arguments.
          'err.sql', 'err.command.args',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

import { pino, type Logger } from 'pino';

export type { Logger };

/** One JSON-lines logger per service; tokens and phone numbers never reach it. */
export function createLogger(service: string, level = process.env['LOG_LEVEL'] ?? 'info'): Logger {
  return pino({
    name: service,
    level,
    redact: { paths: ['authorization', '*.authorization', 'headers.authorization', 'phone', '*.phone'], censor: '[redacted]' },
  });
}

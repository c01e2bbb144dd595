import type { ErrorRequestHandler } from 'express';
import { ErrorCode } from './errors.js';
import type { Logger } from './logger.js';

/**
 * Errors raised before Apollo sees the request (a body that is not JSON, or too large) would
 * otherwise reach Express's default handler, which answers with an HTML page holding the stack
 * trace and file paths outside production. Clients get the contract's shape instead: a
 * GraphQL error with a code, and no stack, path or address.
 */
export function createHttpErrorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    const status = clientErrorStatus(error);
    if (status !== undefined) {
      // body-parser marks the messages it wrote for clients as safe to show (`expose`).
      const message = (error as { expose?: boolean }).expose ? (error as Error).message : 'The request could not be read.';
      res.status(status).json({ errors: [{ message, extensions: { code: ErrorCode.BAD_USER_INPUT } }] });
      return;
    }
    log.error({ err: error }, 'unexpected HTTP error');
    res.status(500).json({ errors: [{ message: 'Internal server error.', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }] });
  };
}

/** The 4xx status an HTTP error carries (body-parser's and http-errors' convention), if any. */
function clientErrorStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

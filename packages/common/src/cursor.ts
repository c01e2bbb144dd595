import { codedError, ErrorCode } from './errors.js';

/** Keyset position in a newest-first list: the last row's creation time and id. */
export interface Keyset {
  readonly createdAtMs: number;
  readonly id: string;
}

export function encodeCursor(position: Keyset): string {
  return Buffer.from(JSON.stringify([position.createdAtMs, position.id])).toString('base64url');
}

/** Decodes an opaque cursor; anything we did not write is BAD_USER_INPUT. */
export function decodeCursor(cursor: string): Keyset {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') {
      return { createdAtMs: value[0] as number, id: value[1] };
    }
  } catch {
    // fall through to the client-facing error
  }
  throw codedError(ErrorCode.BAD_USER_INPUT, `"after" must be a cursor from a previous page; got ${JSON.stringify(cursor)}.`);
}

export const MAX_PAGE_SIZE = 100;

/** `first` is 1..100, as the contract says. */
export function checkPageSize(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw codedError(ErrorCode.BAD_USER_INPUT, `"first" must be between 1 and ${MAX_PAGE_SIZE}; got ${first}.`);
  }
  return first;
}

import { randomBytes } from 'node:crypto';

/**
 * A new id that sorts by creation time (base36 milliseconds, then randomness), so
 * that inserts land at the end of the primary key and ids from many replicas never collide.
 */
export function newId(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
}

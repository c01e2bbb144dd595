import { codedError, ErrorCode, requirePrincipal, type Principal } from '@ordergraph/common';

/** Owner-only fields: UNAUTHENTICATED without a token, FORBIDDEN for anyone but that customer. */
export function requireOwner(principal: Principal | null, userId: string, field: string): void {
  const who = requirePrincipal(principal);
  if (who.role !== 'customer' || who.sub !== userId) {
    throw codedError(ErrorCode.FORBIDDEN, `Only user ${userId} may read their ${field}.`);
  }
}

/** Every character but the last `visible` as `*`, so that the length still shows. */
export function maskPhone(phone: string, visible = 4): string {
  const hidden = Math.max(0, phone.length - visible);
  return '*'.repeat(hidden) + phone.slice(hidden);
}

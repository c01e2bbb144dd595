import { secretKey, signToken } from '@ordergraph/common';

export interface DevToken {
  readonly label: string;
  readonly token: string;
}

/** Enough stores to try the board with, all open in the demo world (every tenth store is closed). */
export const DEV_TOKEN_STORES = 5;

/**
 * Merchant tokens for the first seeded stores (merchant `m<k>` owns store `s<k>`), as
 * `npm run token -- merchant m<k> s<k>` prints them. Signed on every call, so that a
 * dashboard running for days never offers an expired one.
 */
export async function devTokens(jwtSecret: string, count = DEV_TOKEN_STORES): Promise<DevToken[]> {
  const key = secretKey(jwtSecret);
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const k = index + 1;
      const token = await signToken({ role: 'merchant', sub: `m${k}`, storeIds: [`s${k}`] }, key);
      return { label: `merchant m${k} · store s${k}`, token };
    }),
  );
}

import { request } from 'undici';
import { DEV_JWT_SECRET, secretKey, signToken, type Principal } from '@ordergraph/common';

export interface GraphQLResult<Data = Record<string, unknown>> {
  readonly status: number;
  readonly data?: Data | null;
  readonly errors?: ReadonlyArray<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

export const TEST_JWT_SECRET = DEV_JWT_SECRET;

export function tokenFor(principal: Principal, secret = TEST_JWT_SECRET): Promise<string> {
  return signToken(principal, secretKey(secret));
}

export const customer = (sub: string): Principal => ({ role: 'customer', sub });
export const merchant = (sub: string, ...storeIds: string[]): Principal => ({ role: 'merchant', sub, storeIds });
export const rider = (sub: string): Principal => ({ role: 'rider', sub });

/** One GraphQL request over real HTTP, as a client sends it. */
export async function graphql<Data = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: { principal?: Principal; authorization?: string } = {},
): Promise<GraphQLResult<Data>> {
  const authorization = options.authorization ?? (options.principal ? `Bearer ${await tokenFor(options.principal)}` : undefined);
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.body.json()) as Omit<GraphQLResult<Data>, 'status'>;
  return { status: response.statusCode, ...body };
}

/** The codes of a result's errors, in order. */
export function errorCodes(result: GraphQLResult<unknown>): string[] {
  return (result.errors ?? []).map((e) => String(e.extensions?.['code']));
}

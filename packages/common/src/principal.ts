import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { LRUCache } from 'lru-cache';
import { codedError, ErrorCode } from './errors.js';

/** Who is asking, as the contract's JWT claims say. */
export type Principal =
  | { readonly role: 'customer'; readonly sub: string }
  | { readonly role: 'merchant'; readonly sub: string; readonly storeIds: readonly string[] }
  | { readonly role: 'rider'; readonly sub: string }
  /** One of our own tools (rebuilding precomputed values); it reads only what is marked internal. */
  | { readonly role: 'service'; readonly sub: string };

export type Role = Principal['role'];

const ALGORITHM = 'HS256';

export function secretKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/**
 * Tokens already verified, per key: a client sends the same token with every request, and the
 * gateway and each subgraph it reaches verify it, so an HMAC and a JSON parse per request per
 * service become a lookup. Only verified tokens are kept, each until its expiry; 10,000 is a
 * lunch peak's active customers, merchants and riders on one replica, about 5 MB.
 */
const VERIFIED_TOKENS_PER_KEY = 10_000;
const verifiedByKey = new WeakMap<Uint8Array, LRUCache<string, VerifiedBearer>>();

/** A verified bearer token's principal, and when the token stops being valid (null: never). */
export interface VerifiedBearer {
  readonly principal: Principal;
  readonly expiresAtMs: number | null;
}

/**
 * Reads the principal from an `Authorization: Bearer <JWT>` header. No header means an
 * anonymous caller (null); a header that does not verify is UNAUTHENTICATED, never anonymous.
 */
export async function principalFromAuthorization(header: string | undefined, key: Uint8Array): Promise<Principal | null> {
  return (await verifyBearer(header, key))?.principal ?? null;
}

/** As principalFromAuthorization, with the token's expiry: a long-lived connection ends with it. */
export async function verifyBearer(header: string | undefined, key: Uint8Array): Promise<VerifiedBearer | null> {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  const token = match?.[1];
  if (!token) throw codedError(ErrorCode.UNAUTHENTICATED, 'The Authorization header must be "Bearer <JWT>".');
  let verified = verifiedByKey.get(key);
  if (!verified) verifiedByKey.set(key, (verified = new LRUCache({ max: VERIFIED_TOKENS_PER_KEY })));
  const known = verified.get(token);
  if (known && known.expiresAtMs !== null && known.expiresAtMs > Date.now()) return known;
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: [ALGORITHM] });
    const bearer = { principal: principalFromClaims(payload), expiresAtMs: payload.exp === undefined ? null : payload.exp * 1_000 };
    // A token without an expiry is verified every time rather than trusted for ever.
    if (bearer.expiresAtMs !== null) verified.set(token, bearer);
    return bearer;
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) {
      const reason = error instanceof joseErrors.JWTExpired ? 'has expired' : 'is not valid';
      throw codedError(ErrorCode.UNAUTHENTICATED, `The bearer token ${reason}.`);
    }
    throw error;
  }
}

function principalFromClaims(claims: Record<string, unknown>): Principal {
  const { sub, role } = claims;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 64) {
    throw codedError(ErrorCode.UNAUTHENTICATED, 'The bearer token has no usable "sub" claim.');
  }
  switch (role) {
    case 'customer':
    case 'rider':
    case 'service':
      return { role, sub };
    case 'merchant': {
      const storeIds = claims['storeIds'];
      if (!Array.isArray(storeIds) || !storeIds.every((id) => typeof id === 'string')) {
        throw codedError(ErrorCode.UNAUTHENTICATED, 'A merchant token needs a "storeIds" claim: a list of store ids.');
      }
      return { role, sub, storeIds };
    }
    default:
      throw codedError(ErrorCode.UNAUTHENTICATED, `The bearer token's role ${JSON.stringify(role)} is not one of customer, merchant, rider, service.`);
  }
}

/** Signs the contract's claims; the dev token helper and the tests use it. */
export async function signToken(principal: Principal, key: Uint8Array, expiresIn = '12h'): Promise<string> {
  return new SignJWT({ ...principal })
    .setProtectedHeader({ alg: ALGORITHM })
    .setSubject(principal.sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key);
}

/** The principal, or UNAUTHENTICATED: for everything but store and menu reads. */
export function requirePrincipal(principal: Principal | null): Principal {
  if (!principal) throw codedError(ErrorCode.UNAUTHENTICATED, 'This needs "Authorization: Bearer <JWT>".');
  return principal;
}

/** The principal when it has `role`, else FORBIDDEN (or UNAUTHENTICATED without one). */
export function requireRole<R extends Role>(principal: Principal | null, role: R): Extract<Principal, { role: R }> {
  const who = requirePrincipal(principal);
  if (who.role !== role) throw codedError(ErrorCode.FORBIDDEN, `Only a ${role} may do this; the caller is a ${who.role}.`);
  return who as Extract<Principal, { role: R }>;
}

import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { principalFromAuthorization, secretKey, signToken } from './principal.js';

const key = secretKey('a-test-secret-of-enough-length');
const otherKey = secretKey('another-secret-of-enough-length');

describe('principalFromAuthorization', () => {
  it('reads the principal of a valid token, again and again', async () => {
    const token = await signToken({ role: 'merchant', sub: 'm3', storeIds: ['s3'] }, key);
    for (let i = 0; i < 3; i++) expect(await principalFromAuthorization(`Bearer ${token}`, key)).toEqual({ role: 'merchant', sub: 'm3', storeIds: ['s3'] });
  });

  it('refuses, under another key, a token it has already verified under one', async () => {
    const token = await signToken({ role: 'customer', sub: 'u1' }, key);
    await principalFromAuthorization(`Bearer ${token}`, key);
    await expect(principalFromAuthorization(`Bearer ${token}`, otherKey)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('refuses a verified token once it has expired', async () => {
    const token = await signToken({ role: 'customer', sub: 'u2' }, key, '1s');
    expect(await principalFromAuthorization(`Bearer ${token}`, key)).toEqual({ role: 'customer', sub: 'u2' });
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await expect(principalFromAuthorization(`Bearer ${token}`, key)).rejects.toMatchObject({ message: 'The bearer token has expired.' });
  });

  it('verifies a token without an expiry every time', async () => {
    const token = await new SignJWT({ role: 'rider' }).setProtectedHeader({ alg: 'HS256' }).setSubject('r1').sign(key);
    expect(await principalFromAuthorization(`Bearer ${token}`, key)).toEqual({ role: 'rider', sub: 'r1' });
    await expect(principalFromAuthorization(`Bearer ${token.slice(0, -2)}xx`, key)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('answers UNAUTHENTICATED for a header that is not a bearer token, and null for none', async () => {
    await expect(principalFromAuthorization('Basic abc', key)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect(await principalFromAuthorization(undefined, key)).toBeNull();
  });
});

import { readSharedConfig, secretKey, signToken, type Principal } from '@ordergraph/common';

const USAGE = `usage: npm run token -- customer <userId>
       npm run token -- merchant <merchantId> <storeId>[,<storeId>…]
       npm run token -- rider <riderId>`;

/** A dev token for Sandbox and curl, signed with JWT_SECRET (or the development secret). */
function principalFromArgs([role, sub, stores]: string[]): Principal {
  if (!sub) throw new Error(USAGE);
  switch (role) {
    case 'customer':
    case 'rider':
      return { role, sub };
    case 'merchant':
      if (!stores) throw new Error(USAGE);
      return { role, sub, storeIds: stores.split(',').filter(Boolean) };
    default:
      throw new Error(USAGE);
  }
}

try {
  const principal = principalFromArgs(process.argv.slice(2));
  const config = readSharedConfig(process.env);
  const token = await signToken(principal, secretKey(config.jwtSecret));
  console.log(token);
  console.error(`\nSandbox → Headers: { "Authorization": "Bearer ${token}" }`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
}

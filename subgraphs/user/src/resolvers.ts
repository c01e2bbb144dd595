import { money, requireRole, type Resolvers } from '@ordergraph/common';
import { maskPhone, requireOwner } from './access.js';
import type { UserContext } from './context.js';
import type { UserRecord } from './store/users.js';

export const resolvers: Resolvers<UserContext> = {
  Query: {
    me: (_root, _args: unknown, { principal, loaders }) => loaders.userById.load(requireRole(principal, 'customer').sub),
  },
  User: {
    __resolveReference: ({ id }: { id: string }, { loaders }: UserContext) => loaders.userById.load(id),
    phone: (user: UserRecord, _args: unknown, { principal }: UserContext) => {
      requireOwner(principal, user.id, 'phone number');
      return user.phone;
    },
    phoneMasked: (user: UserRecord) => maskPhone(user.phone),
    isFirstOrder: async (user: UserRecord, _args: unknown, { principal, loaders }: UserContext) => {
      requireOwner(principal, user.id, 'first-order status');
      return (await loaders.precomputedByUserId.load(user.id)).activeOrders === 0;
    },
    waivedDeliveryFeeTotal: async (user: UserRecord, _args: unknown, { principal, loaders }: UserContext) => {
      requireOwner(principal, user.id, 'waived delivery fees');
      return money((await loaders.precomputedByUserId.load(user.id)).waivedDeliveryFeeTotal);
    },
  },
};

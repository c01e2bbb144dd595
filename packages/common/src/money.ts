export const CURRENCY = 'CNY';

export interface Money {
  readonly amount: number;
  readonly currency: string;
}

/** Amounts are integers in minor units (fen); there is one currency. */
export function money(amount: number): Money {
  return { amount, currency: CURRENCY };
}

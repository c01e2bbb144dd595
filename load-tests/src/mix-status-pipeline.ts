/**
 * The mix's status changes: each order the run places goes through the contract's lifecycle,
 * one step per status-change request, each step sent by the principal the contract names:
 *   AcceptOrder, MarkOrderReady (the store's merchant) → AcceptDelivery, PickUpOrder,
 *   DeliverOrder (one rider, who took it).
 * An order waits in its next step's queue until its previous step has answered, so no two
 * requests ever race for one order and every step should succeed; a step that fails drops
 * its order. Successive status-change requests take the five kinds in turn (skipping a kind
 * with no order waiting), so that every kind is measured even though orders arrive faster
 * than they finish.
 */
import { contractOperation } from '@ordergraph/testkit';
import type { GraphQLAnswer, MixRequest } from './mix-paced-load.js';

export interface PlacedOrder {
  readonly id: string;
  readonly storeId: string;
}

interface Step {
  readonly operation: string;
  readonly by: 'merchant' | 'rider';
  /** The variable the contract's operation takes the order's id in. */
  readonly idVariable: 'id' | 'orderId';
}

const STEPS: readonly Step[] = [
  { operation: 'AcceptOrder', by: 'merchant', idVariable: 'id' },
  { operation: 'MarkOrderReady', by: 'merchant', idVariable: 'id' },
  { operation: 'AcceptDelivery', by: 'rider', idVariable: 'orderId' },
  { operation: 'PickUpOrder', by: 'rider', idVariable: 'orderId' },
  { operation: 'DeliverOrder', by: 'rider', idVariable: 'orderId' },
];

export const STATUS_CHANGE_OPERATIONS: readonly string[] = STEPS.map((step) => step.operation);

interface InFlightOrder extends PlacedOrder {
  /** The rider who took it, from AcceptDelivery on. */
  riderAuthorization?: string;
}

export interface StatusPipelineAuth {
  /** The bearer header of the merchant of `storeId`. */
  readonly merchantOf: (storeId: string) => string;
  /** The next rider's bearer header, for an order no rider has taken yet. */
  readonly nextRider: () => string;
}

export class StatusPipeline {
  private readonly waiting: InFlightOrder[][] = STEPS.map(() => []);
  private readonly queries = STEPS.map((step) => contractOperation(step.operation));
  private turn = 0;
  /** Orders that went through every step, and orders dropped after a failed one. */
  delivered = 0;
  failed = 0;

  constructor(private readonly auth: StatusPipelineAuth) {}

  /** A newly placed order joins the first step's queue. */
  add(order: PlacedOrder): void {
    this.waiting[0]!.push({ ...order });
  }

  /** Orders waiting for their next step. */
  get backlog(): number {
    return this.waiting.reduce((sum, queue) => sum + queue.length, 0);
  }

  /** The next step of the kind whose turn it is (or the next kind with an order waiting); null when none waits. */
  next(): MixRequest | null {
    for (let tried = 0; tried < STEPS.length; tried++) {
      const index = (this.turn + tried) % STEPS.length;
      const order = this.waiting[index]!.shift();
      if (!order) continue;
      this.turn = index + 1;
      return this.request(index, order);
    }
    return null;
  }

  private request(index: number, order: InFlightOrder): MixRequest {
    const step = STEPS[index]!;
    if (step.by === 'rider') order.riderAuthorization ??= this.auth.nextRider();
    const authorization = step.by === 'merchant' ? this.auth.merchantOf(order.storeId) : order.riderAuthorization!;
    return {
      operation: step.operation,
      body: JSON.stringify({ query: this.queries[index], variables: { [step.idVariable]: order.id } }),
      authorization,
      onAnswer: (answer) => this.advance(index, order, answer),
    };
  }

  private advance(index: number, order: InFlightOrder, answer: GraphQLAnswer | null): void {
    if (!answer || answer.errors?.length || !answer.data) {
      this.failed++;
      return;
    }
    if (index + 1 < STEPS.length) this.waiting[index + 1]!.push(order);
    else this.delivered++;
  }
}

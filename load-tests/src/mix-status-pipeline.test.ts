import { describe, expect, it } from 'vitest';
import type { GraphQLAnswer, MixRequest } from './mix-paced-load.js';
import { StatusPipeline } from './mix-status-pipeline.js';

const ok: GraphQLAnswer = { data: { step: { status: 'OK' } } };
const failed: GraphQLAnswer = { data: null, errors: [{ extensions: { code: 'INVALID_STATE_TRANSITION' } }] };

function pipeline() {
  let riders = 0;
  return new StatusPipeline({ merchantOf: (storeId) => `merchant of ${storeId}`, nextRider: () => `rider ${++riders}` });
}

const variablesOf = (request: MixRequest) => (JSON.parse(request.body) as { variables: Record<string, unknown> }).variables;

describe('StatusPipeline', () => {
  it('takes an order through the five steps in order, the merchant first and then the one rider who took it', () => {
    const steps = pipeline();
    steps.add({ id: 'o1', storeId: 's3' });
    const sent: MixRequest[] = [];
    for (let request = steps.next(); request; request = steps.next()) {
      sent.push(request);
      request.onAnswer?.(ok);
    }
    expect(sent.map((r) => r.operation)).toEqual(['AcceptOrder', 'MarkOrderReady', 'AcceptDelivery', 'PickUpOrder', 'DeliverOrder']);
    expect(sent.map((r) => r.authorization)).toEqual(['merchant of s3', 'merchant of s3', 'rider 1', 'rider 1', 'rider 1']);
    expect(sent.map(variablesOf)).toEqual([{ id: 'o1' }, { id: 'o1' }, { orderId: 'o1' }, { orderId: 'o1' }, { orderId: 'o1' }]);
    expect(steps.delivered).toBe(1);
  });

  it('sends no step of an order whose previous step has not answered', () => {
    const steps = pipeline();
    steps.add({ id: 'o1', storeId: 's1' });
    expect(steps.next()?.operation).toBe('AcceptOrder');
    expect(steps.next()).toBeNull();
  });

  it('drops an order whose step failed', () => {
    const steps = pipeline();
    steps.add({ id: 'o1', storeId: 's1' });
    steps.next()?.onAnswer?.(failed);
    expect(steps.next()).toBeNull();
    expect(steps.failed).toBe(1);
    expect(steps.backlog).toBe(0);
  });

  it('takes the kinds in turn while orders wait at several steps', () => {
    const steps = pipeline();
    for (const id of ['o1', 'o2', 'o3']) steps.add({ id, storeId: 's1' });
    steps.next()?.onAnswer?.(ok); // o1 accepted: now o2, o3 wait to be accepted and o1 to be readied
    expect(steps.next()?.operation).toBe('MarkOrderReady');
    expect(steps.next()?.operation).toBe('AcceptOrder');
  });
});

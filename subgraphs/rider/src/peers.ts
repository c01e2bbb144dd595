import type { Peers } from '@ordergraph/common';
import type { DeliveryStatus } from './store/deliveries.js';
import type { LatLng } from './locations/index.js';

export type DeliveryStep = DeliveryStatus;

export interface DeliveryStepResult {
  readonly orderId: string;
  readonly userId: string;
  readonly storeId: string;
  readonly status: string;
}

const RECORD_DELIVERY_STEP = `mutation ($orderId: ID!, $step: DeliveryStep!) {
  recordDeliveryStep(orderId: $orderId, step: $step) { orderId userId storeId status }
}`;

/**
 * Asks the order subgraph, which owns order state, to take the step. It reads the rider from
 * the forwarded token, so only the caller's own header goes along. Its refusals (NOT_FOUND,
 * ALREADY_TAKEN, FORBIDDEN, INVALID_STATE_TRANSITION) come back as the same coded errors, and
 * a repeated step answers success, so a retry after a half-done step converges.
 */
export async function recordDeliveryStep(
  peers: Peers,
  authorization: string | undefined,
  orderId: string,
  step: DeliveryStep,
): Promise<DeliveryStepResult> {
  const data = await peers.order.requestData<{ recordDeliveryStep: DeliveryStepResult }>(
    RECORD_DELIVERY_STEP,
    { orderId, step },
    { authorization },
  );
  return data.recordDeliveryStep;
}

const STORE_LOCATION = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Store { location { lat lng } } } }';

/** The store's location, or null when the store subgraph does not know the store. Store reads need no token. */
export async function fetchStoreLocation(peers: Peers, storeId: string): Promise<LatLng | null> {
  const data = await peers.store.requestData<{ _entities: Array<{ location: LatLng | null } | null> }>(STORE_LOCATION, {
    r: [{ __typename: 'Store', id: storeId }],
  });
  return data._entities[0]?.location ?? null;
}

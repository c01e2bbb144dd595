import { describe, expect, it } from 'vitest';
import type { PacedResult } from './paced-load.js';
import { findMaxRate } from './rate-search.js';

/** A server whose p99 stays at 10 ms up to `limit` req/s and is 1 s beyond it. */
const serverWithLimit = (limit: number) => async (ratePerS: number): Promise<PacedResult> => ({
  ratePerS,
  requests: ratePerS * 5,
  p50Ms: 5,
  p99Ms: ratePerS <= limit ? 10 : 1_000,
  p999Ms: ratePerS <= limit ? 12 : 1_200,
  errors: 0,
  dropped: 0,
  p99SendLagMs: 0,
});

describe('findMaxRate', () => {
  it('doubles until a step fails, then narrows to within a tenth of the rate that passed', async () => {
    const found = await findMaxRate({ startRatePerS: 20, capRatePerS: 5_000, p99TargetMs: 40, probe: serverWithLimit(270) });
    expect(found.capped).toBe(false);
    expect(found.maxRatePerS).toBeLessThanOrEqual(270);
    expect(found.maxRatePerS).toBeGreaterThanOrEqual(270 * 0.9);
    expect(found.steps.slice(0, 5).map((s) => s.result.ratePerS)).toEqual([20, 40, 80, 160, 320]);
  });

  it('searches below the start rate when the start rate already fails', async () => {
    const found = await findMaxRate({ startRatePerS: 20, capRatePerS: 5_000, p99TargetMs: 40, probe: serverWithLimit(12) });
    expect(found.maxRatePerS).toBeGreaterThanOrEqual(7);
    expect(found.maxRatePerS).toBeLessThanOrEqual(12);
  });

  it('reports 0 when no rate down to the resolution passes', async () => {
    const found = await findMaxRate({ startRatePerS: 20, capRatePerS: 5_000, p99TargetMs: 40, probe: serverWithLimit(0) });
    expect(found.maxRatePerS).toBe(0);
  });

  it('stops at the cap and says the real limit is higher', async () => {
    const found = await findMaxRate({ startRatePerS: 20, capRatePerS: 100, p99TargetMs: 40, probe: serverWithLimit(10_000) });
    expect(found).toMatchObject({ maxRatePerS: 100, capped: true });
    expect(found.steps.map((s) => s.result.ratePerS)).toEqual([20, 40, 80, 100]);
  });

  it('fails a step with errors or dropped requests whatever its p99', async () => {
    const probe = async (ratePerS: number) => ({ ...(await serverWithLimit(10_000)(ratePerS)), errors: ratePerS > 50 ? 1 : 0 });
    const found = await findMaxRate({ startRatePerS: 20, capRatePerS: 5_000, p99TargetMs: 40, probe });
    expect(found.maxRatePerS).toBeLessThanOrEqual(50);
  });

  it('refuses a start rate above the cap', async () => {
    await expect(findMaxRate({ startRatePerS: 200, capRatePerS: 100, p99TargetMs: 40, probe: serverWithLimit(1) })).rejects.toThrow(
      'findMaxRate needs 0 < startRatePerS ≤ capRatePerS; got 200 and 100',
    );
  });
});

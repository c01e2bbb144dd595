/**
 * The highest steady request rate a gateway serves within a p99 target: doubling from a
 * start rate until a step fails, then halving the gap until it is within a tenth of the
 * rate that passed. A step passes with p99 ≤ target, no errors and nothing dropped.
 */
import type { PacedResult } from './paced-load.js';

export interface RateSearchSpec {
  readonly startRatePerS: number;
  /** Stop doubling here: the answer is then "at least this". */
  readonly capRatePerS: number;
  readonly p99TargetMs: number;
  /** One step at `ratePerS`. */
  readonly probe: (ratePerS: number) => Promise<PacedResult>;
  readonly onStep?: (step: RateStep) => void;
}

export interface RateStep {
  readonly result: PacedResult;
  readonly passed: boolean;
}

export interface RateSearchResult {
  /** The highest rate that passed (0 if none did). */
  readonly maxRatePerS: number;
  /** True when even the cap passed, so the real limit is higher. */
  readonly capped: boolean;
  readonly steps: readonly RateStep[];
}

/** Finer than a tenth of the rate is below what a shared machine can tell apart. */
const RESOLUTION_RATIO = 0.1;
const MIN_RESOLUTION_PER_S = 5;

export async function findMaxRate(spec: RateSearchSpec): Promise<RateSearchResult> {
  if (!(spec.startRatePerS > 0 && spec.capRatePerS >= spec.startRatePerS)) {
    throw new Error(`findMaxRate needs 0 < startRatePerS ≤ capRatePerS; got ${spec.startRatePerS} and ${spec.capRatePerS}`);
  }
  const steps: RateStep[] = [];
  const step = async (ratePerS: number) => {
    const result = await spec.probe(ratePerS);
    const passed = result.p99Ms <= spec.p99TargetMs && result.errors === 0 && result.dropped === 0;
    const entry = { result, passed };
    steps.push(entry);
    spec.onStep?.(entry);
    return passed;
  };

  let passedAt = 0;
  let failedAt = Infinity;
  for (let rate = spec.startRatePerS; failedAt === Infinity; rate = Math.min(rate * 2, spec.capRatePerS)) {
    if (await step(rate)) passedAt = rate;
    else failedAt = rate;
    if (passedAt === spec.capRatePerS) return { maxRatePerS: passedAt, capped: true, steps };
  }
  while (failedAt - passedAt > Math.max(MIN_RESOLUTION_PER_S, passedAt * RESOLUTION_RATIO)) {
    const rate = Math.round((passedAt + failedAt) / 2);
    if (await step(rate)) passedAt = rate;
    else failedAt = rate;
  }
  return { maxRatePerS: passedAt, capped: false, steps };
}

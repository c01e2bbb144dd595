/**
 * Caps retries to a share of real traffic, so that retries can never multiply the load on a
 * struggling subgraph: each request deposits `ratio` of a token, each retry spends one, and a
 * floor of `minPerSecond` tokens keeps a quiet subgraph able to retry at all.
 */
export class RetryBudget {
  private tokens: number;
  private lastRefillMs = Date.now();
  private readonly capacity: number;

  constructor(
    private readonly ratio: number,
    private readonly minPerSecond: number,
  ) {
    // A burst may spend at most a second's floor plus what ten seconds of 100 rps would earn.
    this.capacity = Math.max(1, minPerSecond + ratio * 1_000);
    this.tokens = minPerSecond;
  }

  /** Every original request (not a retry) earns its share. */
  recordRequest(): void {
    this.refill();
    this.tokens = Math.min(this.capacity, this.tokens + this.ratio);
  }

  /** True when a retry may go ahead, and spends its token. */
  tryWithdraw(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private refill(): void {
    const now = Date.now();
    const elapsedS = (now - this.lastRefillMs) / 1_000;
    this.lastRefillMs = now;
    // The floor accrues over time but never past itself, so it cannot bank a storm.
    if (this.tokens < this.minPerSecond) this.tokens = Math.min(this.minPerSecond, this.tokens + elapsedS * this.minPerSecond);
  }
}

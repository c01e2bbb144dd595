/**
 * Joins identical concurrent fetches: while one is in flight, the same key gets the same
 * promise. Callers share the response text, never parsed objects, because the gateway's
 * executor merges response objects into its result in place.
 */
export class InFlightDeduplicator<T> {
  private readonly inFlight = new Map<string, Promise<T>>();

  get size(): number {
    return this.inFlight.size;
  }

  run(key: string, work: () => Promise<T>): { result: Promise<T>; joined: boolean } {
    const existing = this.inFlight.get(key);
    if (existing) return { result: existing, joined: true };
    const result = work().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, result);
    return { result, joined: false };
  }
}

export interface LatLng {
  readonly lat: number;
  readonly lng: number;
}

export interface RiderPosition extends LatLng {
  readonly riderId: string;
}

/**
 * Where riders are. Every rider on duty writes here every few seconds, so it lives in Redis
 * GEO when there is a Redis (memory, no row locks, and radius queries later); without one, in
 * the riders table. Callers see no difference.
 */
export interface LocationStore {
  /** Key i gets the location of ids[i], or null when none is known; one round trip for all. */
  get(ids: readonly string[]): Promise<Array<LatLng | null>>;
  set(riderId: string, lat: number, lng: number): Promise<void>;
  /** For seeding: one round trip per batch, not per rider. */
  setMany(positions: readonly RiderPosition[]): Promise<void>;
  clear(): Promise<void>;
}

/**
 * Redis GEO indexes latitudes only up to ±85.05112878° (Web Mercator); both stores accept
 * the same range so that behaviour does not depend on whether Redis is configured.
 */
export const MAX_LOCATION_LAT_DEG = 85.05112878;

import type { SubgraphDeps } from '@ordergraph/common';
import type { LocationStore, LatLng, RiderPosition } from './location-store.js';

type Redis = NonNullable<SubgraphDeps['redis']>;

/** One sorted set for every rider: GEOPOS reads any number of them in one command. */
export const RIDER_LOCATIONS_KEY = 'rider:locations';

/**
 * GEO stores 52-bit geohashes, good to about half a metre; six decimals (0.11 m) keep every
 * digit that means something and drop the noise of decoding (31.229999542236328).
 */
const DECIMALS = 6;
const round = (deg: number) => Number(deg.toFixed(DECIMALS));

export class RedisLocationStore implements LocationStore {
  constructor(
    private readonly redis: Redis,
    private readonly key: string = RIDER_LOCATIONS_KEY,
  ) {}

  async get(ids: readonly string[]): Promise<Array<LatLng | null>> {
    if (ids.length === 0) return [];
    const positions = await this.redis.geopos(this.key, ...ids);
    return ids.map((_id, i) => {
      const position = positions[i];
      return position ? { lat: round(Number(position[1])), lng: round(Number(position[0])) } : null;
    });
  }

  async set(riderId: string, lat: number, lng: number): Promise<void> {
    await this.redis.geoadd(this.key, lng, lat, riderId);
  }

  async setMany(positions: readonly RiderPosition[]): Promise<void> {
    if (positions.length === 0) return;
    await this.redis.geoadd(this.key, ...positions.flatMap((p) => [p.lng, p.lat, p.riderId]));
  }

  async clear(): Promise<void> {
    await this.redis.del(this.key);
  }
}

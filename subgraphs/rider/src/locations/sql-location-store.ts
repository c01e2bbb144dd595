import { placeholders, type Queryable, type SqlValue } from '@ordergraph/common';
import type { LocationStore, LatLng, RiderPosition } from './location-store.js';

/** The embedded default's (and a Redis-less deployment's) locations: columns of the riders table. */
export class SqlLocationStore implements LocationStore {
  constructor(private readonly db: Queryable) {}

  async get(ids: readonly string[]): Promise<Array<LatLng | null>> {
    if (ids.length === 0) return [];
    const rows = await this.db.query<{ id: string; lat: number | null; lng: number | null }>(
      `SELECT id, lat, lng FROM riders WHERE id IN (${placeholders(ids.length)})`,
      ids,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => {
      const row = byId.get(id);
      return row && row.lat !== null && row.lng !== null ? { lat: Number(row.lat), lng: Number(row.lng) } : null;
    });
  }

  /** Writes only riders that exist: a location without a rider row has nowhere to live here. */
  async set(riderId: string, lat: number, lng: number): Promise<void> {
    await this.db.execute('UPDATE riders SET lat = ?, lng = ?, location_updated_at_ms = ? WHERE id = ?', [lat, lng, Date.now(), riderId]);
  }

  /** One UPDATE with CASE for the whole batch: both engines accept it, unlike their upsert dialects. */
  async setMany(positions: readonly RiderPosition[]): Promise<void> {
    if (positions.length === 0) return;
    const cases = positions.map(() => 'WHEN ? THEN ?').join(' ');
    const params: SqlValue[] = [
      ...positions.flatMap((p) => [p.riderId, p.lat]),
      ...positions.flatMap((p) => [p.riderId, p.lng]),
      Date.now(),
      ...positions.map((p) => p.riderId),
    ];
    await this.db.execute(
      `UPDATE riders SET lat = CASE id ${cases} END, lng = CASE id ${cases} END, location_updated_at_ms = ?
        WHERE id IN (${placeholders(positions.length)})`,
      params,
    );
  }

  /** Rows go with the riders table's own clear; this forgets the positions of any that stay. */
  async clear(): Promise<void> {
    await this.db.execute('UPDATE riders SET lat = NULL, lng = NULL, location_updated_at_ms = NULL');
  }
}

import { codedError, ErrorCode, isValidCoordinate, requireRole } from '@ordergraph/common';
import type { RiderContext } from './context.js';
import { MAX_LOCATION_LAT_DEG } from './locations/index.js';
import type { RiderRecord } from './store/riders.js';

/** The calling rider's position, sent every few seconds by each rider on duty. */
export async function updateRiderLocation(ctx: RiderContext, lat: number, lng: number): Promise<RiderRecord> {
  const riderId = requireRole(ctx.principal, 'rider').sub;
  if (!isValidCoordinate(lat, lng) || Math.abs(lat) > MAX_LOCATION_LAT_DEG) {
    throw codedError(ErrorCode.BAD_USER_INPUT, `lat must be within ±${MAX_LOCATION_LAT_DEG} and lng within ±180; got (${lat}, ${lng}).`);
  }
  const rider = await ctx.loaders.riderById.load(riderId);
  if (!rider) throw codedError(ErrorCode.NOT_FOUND, `There is no rider ${riderId}.`);
  await ctx.locations.set(riderId, lat, lng);
  // After the position is saved, so that what a customer is told is also what a reload reads.
  await ctx.moves.publish(riderId, lat, lng);
  // The answer shows what was sent; Redis GEO keeps it only to about half a metre.
  ctx.loaders.locationByRiderId.clear(riderId).prime(riderId, { lat, lng });
  return rider;
}

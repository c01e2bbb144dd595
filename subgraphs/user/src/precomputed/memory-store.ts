import type { OrderStats } from './order-stats.js';
import { DELTAS_KEPT_PER_USER, type PrecomputedStore, type PrecomputedValues, type StatsDelta } from './store.js';

interface Held extends PrecomputedValues {
  readonly floor: number;
}

/** The embedded default's stand-in for the Redis store: the same rules (see store.ts), in a map. */
export class MemoryPrecomputedStore implements PrecomputedStore {
  private readonly values = new Map<string, Held>();
  private readonly deltas = new Map<string, StatsDelta[]>();

  async get(ids: readonly string[]): Promise<Map<string, PrecomputedValues>> {
    const found = new Map<string, PrecomputedValues>();
    for (const id of ids) {
      const held = this.values.get(id);
      if (held) found.set(id, { activeOrders: held.activeOrders, waivedDeliveryFeeTotal: held.waivedDeliveryFeeTotal });
    }
    return found;
  }

  async apply(delta: StatsDelta): Promise<boolean> {
    const held = this.values.get(delta.userId);
    if (held && delta.version <= held.floor) return false;
    const seen = this.deltas.get(delta.userId) ?? [];
    if (seen.some((d) => d.eventId === delta.eventId)) return false;
    seen.push(delta);
    if (seen.length > DELTAS_KEPT_PER_USER) seen.sort((a, b) => a.version - b.version).shift();
    this.deltas.set(delta.userId, seen);
    if (held) {
      this.values.set(delta.userId, {
        floor: held.floor,
        activeOrders: held.activeOrders + delta.activeOrders,
        waivedDeliveryFeeTotal: held.waivedDeliveryFeeTotal + delta.waivedDeliveryFeeTotal,
      });
    }
    return true;
  }

  async load(userId: string, snapshot: OrderStats, mode: 'fill' | 'rebuild'): Promise<void> {
    const held = this.values.get(userId);
    if (held && (mode === 'fill' || held.floor > snapshot.version)) return;
    const later = (this.deltas.get(userId) ?? []).filter((d) => d.version > snapshot.version);
    this.deltas.set(userId, later);
    this.values.set(userId, {
      floor: snapshot.version,
      activeOrders: snapshot.activeOrders + later.reduce((sum, d) => sum + d.activeOrders, 0),
      waivedDeliveryFeeTotal: snapshot.waivedDeliveryFeeTotal + later.reduce((sum, d) => sum + d.waivedDeliveryFeeTotal, 0),
    });
  }
}

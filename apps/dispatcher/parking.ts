/**
 * The orders a subscription has parked: once one event of an order is dead-lettered, its later
 * events go to dead-letters after it, in order, instead of being delivered out of their story
 * (a "payment completed" must not reach a service that never saw the order). A redrive of the
 * order's dead letters unparks it: the redriven events come back through the log, marked.
 */
export class Parking {
  private readonly parked = new Map<string, string>();

  /** The event that parked `key`, if it is parked. */
  blockerOf(key: string): string | undefined {
    return this.parked.get(key);
  }

  park(key: string, eventId: string): void {
    if (!this.parked.has(key)) this.parked.set(key, eventId);
  }

  unpark(key: string): void {
    this.parked.delete(key);
  }

  get size(): number {
    return this.parked.size;
  }
}

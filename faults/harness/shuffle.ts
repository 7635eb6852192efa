/**
 * A random interleaving of `items` that keeps the relative order of the items of each key: what a
 * log promises (order per key, nothing across keys) and nothing more.
 */
export function interleaveByKey<T>(items: T[], keyOf: (item: T) => string, random: () => number): T[] {
  const queues = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    (queues.get(key) ?? queues.set(key, []).get(key)!).push(item);
  }
  const open = [...queues.values()];
  const out: T[] = [];
  while (open.length > 0) {
    const index = Math.floor(random() * open.length);
    const queue = open[index]!;
    out.push(queue.shift()!);
    if (queue.length === 0) open.splice(index, 1);
  }
  return out;
}

/** How many items are not where they were. */
export function moved<T>(before: T[], after: T[]): number {
  return before.reduce((n, item, i) => n + (after[i] === item ? 0 : 1), 0);
}

/** Cuts a list into consecutive pieces of 1 to `max` items. */
export function cut<T>(items: T[], max: number, random: () => number): T[][] {
  const pieces: T[][] = [];
  for (let i = 0; i < items.length; ) {
    const size = 1 + Math.floor(random() * max);
    pieces.push(items.slice(i, i + size));
    i += size;
  }
  return pieces;
}

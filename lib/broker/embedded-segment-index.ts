/** Every ~4 KiB of log gets an entry, as Kafka's index.interval.bytes: a read scans at most that far. */
const indexEveryBytes = 4096;

/**
 * The sparse index of one segment: offsets relative to the segment's base → byte positions of
 * their lines, one entry per ~4 KiB, so a partition of a gigabyte costs about 2 MiB of memory.
 */
export class SegmentIndex {
  /** Records in the segment. */
  count = 0;
  private readonly offsets: number[] = [];
  private readonly positions: number[] = [];

  /** Adds the next line, which starts at `position`. */
  add(position: number): void {
    const last = this.positions.at(-1);
    if (last === undefined || position - last >= indexEveryBytes) {
      this.offsets.push(this.count);
      this.positions.push(position);
    }
    this.count++;
  }

  /** The last entry at or before `relative`: where to start scanning for it. */
  entryAtOrBefore(relative: number): { relative: number; position: number } {
    let low = 0;
    let high = this.offsets.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.offsets[middle]! <= relative) low = middle;
      else high = middle - 1;
    }
    return { relative: this.offsets[low] ?? 0, position: this.positions[low] ?? 0 };
  }
}

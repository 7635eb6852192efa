import type { BatchHandler, ConsumedRecord } from "./types.ts";

/** How long a revocation or close waits for aborted batches to settle before it goes on without them. */
export const revokeWaitMs = 15_000;

/** Per-partition retry delays after a handler failure: 100 ms doubling to 5 s. */
export const retryDelayMs = (failures: number) => Math.min(100 * 2 ** (failures - 1), 5_000);

export type PipelineOptions = {
  /** The partition's committed offset: where fetching starts. */
  from: bigint;
  maxBatch: number;
  /** Unfinished records handed over, at most; below maxBatch means maxBatch. */
  maxInFlight: number;
  handle: BatchHandler;
  /** A batch settled or a backoff ended: commit, fetch or restart may be due. */
  onChange: () => void;
};

type Batch = { first: bigint; size: number; controller: AbortController; running: Promise<void> | undefined };

/**
 * The delivery state of one partition, shared by both adapters: which records were fetched and wait
 * (`buffer`), which were handed over and are unfinished, and so what may be committed. Batches are
 * handed over in offset order without waiting for earlier ones, while fewer than maxInFlight records
 * are unfinished. The committable offset is the first unfinished record: a slow batch holds back
 * the commit, never the handover of later ones. A failed batch stops handover; once the batches in
 * flight settled, fetching starts again from the committable offset after a backoff.
 */
export class PartitionPipeline {
  private readonly maxInFlight: number;
  /** Handed over and not resolved (running or failed), in offset order. */
  private readonly unfinished: Batch[] = [];
  private buffer: ConsumedRecord[] = [];
  private fetchFrom: bigint;
  private failing = false;
  private stopped = false;
  private failures = 0;
  private backoff: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: PipelineOptions) {
    this.fetchFrom = options.from;
    this.maxInFlight = Math.max(options.maxBatch, options.maxInFlight);
  }

  /** Where the next fetch starts: after everything buffered or handed over. */
  get next(): bigint {
    return this.fetchFrom;
  }

  /** Just past the longest finished prefix: the offset to commit. */
  get committable(): bigint {
    return this.unfinished[0]?.first ?? this.buffer[0]?.offset ?? this.fetchFrom;
  }

  /** How many records a fetch may bring now; 0 while records wait, after a failure or a stop. */
  get room(): number {
    if (this.stopped || this.failing || this.backoff || this.buffer.length > 0) return 0;
    return Math.max(0, this.maxInFlight - this.unfinishedRecords());
  }

  /** True while a batch handed over has not settled. */
  get busy(): boolean {
    return this.unfinished.some((b) => b.running);
  }

  /**
   * Takes the records a fetch from `from` brought, in order (a fetch may bring more than `room`:
   * they wait here), and hands over what fits. `end` is the offset after the last record seen,
   * past any transaction markers. A fetch that started before a failure moved `next` back is stale
   * and ignored.
   */
  push(from: bigint, records: ConsumedRecord[], end?: bigint): void {
    if (this.stopped || this.failing || from !== this.fetchFrom) return;
    this.buffer.push(...records);
    const last = records.at(-1);
    const after = last ? last.offset + 1n : from;
    this.fetchFrom = end !== undefined && end > after ? end : after;
    this.handOver();
  }

  /** Moves where fetching goes on from `from` to `to`: the records from `from` are gone (retention). */
  skipTo(from: bigint, to: bigint): void {
    if (from === this.fetchFrom && this.buffer.length === 0) this.fetchFrom = to;
  }

  /** Aborts every batch in flight and hands over nothing more; resolves once they all settled. */
  stop(): Promise<void> {
    this.stopped = true;
    this.dropBuffer();
    clearTimeout(this.backoff);
    // The signal's reason is the standard AbortError DOMException, as for fetch() and timers.
    for (const batch of this.unfinished) batch.controller.abort();
    return this.settled();
  }

  private async settled(): Promise<void> {
    while (this.busy) await Promise.all(this.unfinished.map((b) => b.running));
  }

  /** Forgets the records not handed over: they are fetched again, so neither fetched nor committed past. */
  private dropBuffer(): void {
    this.fetchFrom = this.buffer[0]?.offset ?? this.fetchFrom;
    this.buffer = [];
  }

  private unfinishedRecords(): number {
    let count = 0;
    for (const batch of this.unfinished) count += batch.size;
    return count;
  }

  private handOver(): void {
    while (!this.stopped && !this.failing && this.buffer.length > 0) {
      const room = this.maxInFlight - this.unfinishedRecords();
      if (room <= 0) return;
      const records = this.buffer.splice(0, Math.min(this.options.maxBatch, room));
      const controller = new AbortController();
      const batch: Batch = { first: (records[0] as ConsumedRecord).offset, size: records.length, controller, running: undefined };
      this.unfinished.push(batch);
      // Through a microtask: a handler that throws at once fails its batch, not this loop.
      batch.running = Promise.resolve()
        .then(() => this.options.handle(records, { signal: controller.signal }))
        .then(
          () => this.finished(batch),
          () => this.failed(batch),
        );
    }
  }

  private finished(batch: Batch): void {
    this.unfinished.splice(this.unfinished.indexOf(batch), 1);
    if (!this.failing) this.failures = 0;
    if (this.failing && !this.stopped && !this.busy) this.restart();
    this.handOver();
    this.options.onChange();
  }

  private failed(batch: Batch): void {
    batch.running = undefined;
    if (!this.stopped) {
      this.failing = true;
      this.dropBuffer();
    }
    if (this.failing && !this.stopped && !this.busy) this.restart();
    this.options.onChange();
  }

  /** Every batch settled after a failure: from the first unfinished record again, after a backoff. */
  private restart(): void {
    this.fetchFrom = this.committable;
    this.unfinished.length = 0;
    this.failing = false;
    this.backoff = setTimeout(() => {
      this.backoff = undefined;
      this.options.onChange();
    }, retryDelayMs(++this.failures));
  }
}

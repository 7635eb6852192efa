import { BoundedMap } from "../cache/index.ts";
import type { Logger } from "../log/index.ts";
import { openJournal, readAttempts, readBack, type SendAttempt } from "./journal.ts";
import type { Notification, Notifier, SendResult } from "./types.ts";

export type { SendAttempt } from "./journal.ts";

export type RecordingNotifier = Notifier & {
  /** What reached the customer: one message per idempotency key. */
  sent(): Notification[];
  /** Every call, duplicates included, so that a handler that sends twice shows. */
  attempts(): SendAttempt[];
};

export type RecordingNotifierOptions = {
  /** JSON lines that outlive the process; without it, memory only. */
  file?: string;
  /** Hears of each send (its key and subject) and of a torn send cut off; none when absent. */
  log?: Logger;
  /** fdatasync each recorded send, so that it survives power loss too. Default true. */
  fsync?: boolean;
  /** Delivered keys it remembers, the newest; an older key is delivered again. Default `defaultRememberedKeys`. */
  rememberedKeys?: number;
};

/**
 * Delivered keys the stand-in remembers by default, as a provider keeps its idempotency keys for a
 * window (a day for card networks), not for ever. The flow sends a key again only when a crashed
 * sender's claim is taken over (`sendLeaseSeconds`, 30 s): 100,000 keys last about a minute at
 * the flow's measured ceiling (about 370 orders/s, four messages each), twice that lease, and far
 * longer at any lower rate. Every key's send is in the file all the same, so a flow
 * that sends a key twice shows in `attempts()` and in the auditor, forgotten or not.
 */
export const defaultRememberedKeys = 100_000;

/**
 * A provider stand-in that records what it sends: with `file`, as JSON lines that outlive the
 * process (read back at start, so the key check survives a crash); without, in memory. Like a
 * provider with idempotency keys, it delivers each key once. A send torn by a crash mid-append is
 * cut off at start: that send had not been acknowledged, and its retry finds the key unknown and
 * sends it. With a file, only the keys stay in memory (the messages are read back from the file
 * when asked for): a long-running notification process must not hold every message it ever sent
 * (a 10-minute soak at 200 orders/s grew it by 280 MiB), nor every key (94 MiB more): it remembers
 * the newest `rememberedKeys`.
 */
export function createRecordingNotifier(options: RecordingNotifierOptions = {}): RecordingNotifier {
  const { file, log, fsync = true } = options;
  /** The newest delivered keys, the oldest forgotten first. */
  const delivered = new BoundedMap<string, true>(options.rememberedKeys ?? defaultRememberedKeys);
  if (file) for (const key of deliveredKeys(readAttempts(file, log, fsync))) delivered.set(key, true);
  /** Memory only (no file): every attempt, for sent() and attempts(). */
  const attempts: SendAttempt[] = [];
  const journal = file ? openJournal(file, fsync) : undefined;
  const recorded = () => (file ? readBack(file) : [...attempts]);
  /** Keys being recorded right now: a second send of one of them is a duplicate, as it would be a moment later. */
  const recording = new Set<string>();

  return {
    async send(notification): Promise<SendResult> {
      const duplicate = delivered.get(notification.idempotencyKey) !== undefined || recording.has(notification.idempotencyKey);
      const attempt: SendAttempt = { ...notification, duplicate };
      if (!duplicate) recording.add(notification.idempotencyKey);
      try {
        await journal?.append(`${JSON.stringify(attempt)}\n`);
      } finally {
        if (!duplicate) recording.delete(notification.idempotencyKey);
      }
      if (!journal) attempts.push(attempt);
      if (duplicate) return "duplicate";
      delivered.set(notification.idempotencyKey, true);
      log?.info({ idempotencyKey: notification.idempotencyKey, subject: notification.subject }, "recording notifier: sent");
      return "delivered";
    },
    sent: () => recorded().filter((a) => !a.duplicate).map(({ duplicate: _, ...notification }) => notification),
    attempts: () => recorded(),
  };
}

function deliveredKeys(attempts: SendAttempt[]): string[] {
  return attempts.filter((a) => !a.duplicate).map((a) => a.idempotencyKey);
}

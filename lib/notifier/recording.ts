import { appendFileSync, existsSync, readFileSync } from "node:fs";
import type { Notification, Notifier, SendResult } from "./types.ts";

/** One call of `send`, as recorded: `duplicate` when the key had been delivered already. */
export type SendAttempt = Notification & { duplicate: boolean };

export type RecordingNotifier = Notifier & {
  /** What reached the customer: one message per idempotency key. */
  sent(): Notification[];
  /** Every call, duplicates included, so that a handler that sends twice shows. */
  attempts(): SendAttempt[];
};

/**
 * A provider stand-in that records what it sends: in memory and, with `file`, as JSON lines that
 * outlive the process (read back at start, so the key check survives a crash). Like a provider with
 * idempotency keys, it delivers each key once.
 */
export function createRecordingNotifier(options: { file?: string; log?: (line: string) => void } = {}): RecordingNotifier {
  const { file, log } = options;
  const attempts: SendAttempt[] = file && existsSync(file) ? readAttempts(file) : [];
  const delivered = new Set(attempts.filter((a) => !a.duplicate).map((a) => a.idempotencyKey));

  return {
    async send(notification): Promise<SendResult> {
      const duplicate = delivered.has(notification.idempotencyKey);
      const attempt: SendAttempt = { ...notification, duplicate };
      attempts.push(attempt);
      if (file) appendFileSync(file, `${JSON.stringify(attempt)}\n`);
      if (duplicate) return "duplicate";
      delivered.add(notification.idempotencyKey);
      log?.(`notify ${notification.userId}: ${notification.subject}`);
      return "delivered";
    },
    sent: () => attempts.filter((a) => !a.duplicate).map(({ duplicate: _, ...notification }) => notification),
    attempts: () => [...attempts],
  };
}

function readAttempts(file: string): SendAttempt[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SendAttempt);
}

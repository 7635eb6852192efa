import { closeSync, existsSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { appendDurably, cutTornTail, syncDirectory } from "../fs/index.ts";
import type { Logger } from "../log/index.ts";
import type { Notification, Notifier, SendResult } from "./types.ts";

/** One call of `send`, as recorded: `duplicate` when the key had been delivered already. */
export type SendAttempt = Notification & { duplicate: boolean };

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
};

/**
 * A provider stand-in that records what it sends: in memory and, with `file`, as JSON lines that
 * outlive the process (read back at start, so the key check survives a crash). Like a provider with
 * idempotency keys, it delivers each key once. A send torn by a crash mid-append is cut off at
 * start: that send had not been acknowledged, and its retry finds the key unknown and sends it.
 */
export function createRecordingNotifier(options: RecordingNotifierOptions = {}): RecordingNotifier {
  const { file, log, fsync = true } = options;
  const attempts: SendAttempt[] = file ? readAttempts(file, log, fsync) : [];
  const delivered = new Set(attempts.filter((a) => !a.duplicate).map((a) => a.idempotencyKey));

  return {
    async send(notification): Promise<SendResult> {
      const duplicate = delivered.has(notification.idempotencyKey);
      const attempt: SendAttempt = { ...notification, duplicate };
      if (file) record(file, attempt, fsync);
      attempts.push(attempt);
      if (duplicate) return "duplicate";
      delivered.add(notification.idempotencyKey);
      log?.info({ idempotencyKey: notification.idempotencyKey, subject: notification.subject }, "recording notifier: sent");
      return "delivered";
    },
    sent: () => attempts.filter((a) => !a.duplicate).map(({ duplicate: _, ...notification }) => notification),
    attempts: () => [...attempts],
  };
}

function readAttempts(file: string, log: Logger | undefined, sync: boolean): SendAttempt[] {
  if (!existsSync(file)) return [];
  const attempts: SendAttempt[] = [];
  const { torn } = cutTornTail(
    file,
    (line) => {
      const attempt = parseAttempt(line);
      if (attempt) attempts.push(attempt);
      return attempt !== undefined;
    },
    sync,
  );
  if (torn) log?.warn({ bytes: torn.bytes, file, kept: attempts.length }, "recording notifier: cut a send torn by a crash off the end; the sends before it are kept");
  return attempts;
}

function parseAttempt(line: Buffer): SendAttempt | undefined {
  try {
    const attempt = JSON.parse(line.toString("utf8")) as SendAttempt;
    return typeof attempt?.idempotencyKey === "string" ? attempt : undefined;
  } catch {
    return undefined;
  }
}

function record(file: string, attempt: SendAttempt, sync: boolean): void {
  const created = !existsSync(file);
  const fd = openSync(file, "a");
  try {
    appendDurably(fd, `${JSON.stringify(attempt)}\n`, sync);
  } finally {
    closeSync(fd);
  }
  if (created && sync) syncDirectory(dirname(file));
}

import { existsSync, fdatasync, openSync } from "node:fs";
import { dirname } from "node:path";
import { createGroupCommit } from "../batching/index.ts";
import { cutTornTail, syncDirectory, writeAll } from "../fs/index.ts";
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
  const journal = file ? openJournal(file, fsync) : undefined;

  /** Decides, records (one write and one sync for them all) and only then counts the sends, in their order. */
  async function sendAll(notifications: Notification[]): Promise<SendResult[]> {
    const now = new Set<string>();
    const batch = notifications.map((notification): SendAttempt => {
      const duplicate = delivered.has(notification.idempotencyKey) || now.has(notification.idempotencyKey);
      now.add(notification.idempotencyKey);
      return { ...notification, duplicate };
    });
    await journal?.append(batch.map((attempt) => `${JSON.stringify(attempt)}\n`).join(""));
    for (const attempt of batch) {
      attempts.push(attempt);
      if (attempt.duplicate) continue;
      delivered.add(attempt.idempotencyKey);
      log?.info({ idempotencyKey: attempt.idempotencyKey, subject: attempt.subject }, "recording notifier: sent");
    }
    return batch.map((attempt) => (attempt.duplicate ? "duplicate" : "delivered"));
  }

  // Sends that arrive while the file is being synced share the next sync (lib/batching): a
  // provider takes many messages at once, and one fdatasync per message would make the stand-in,
  // not the flow, the bottleneck. Each send still answers only once its line is on the disk.
  const sends = createGroupCommit<Notification, SendResult>({
    maxBatch: 100,
    concurrency: 1,
    runOne: async (notification) => (await sendAll([notification]))[0]!,
    runBatch: async (notifications) => (await sendAll(notifications)).map((value) => ({ ok: true, value })),
  });

  return {
    send: (notification) => sends.submit(notification),
    sent: () => attempts.filter((a) => !a.duplicate).map(({ duplicate: _, ...notification }) => notification),
    attempts: () => [...attempts],
  };
}

/**
 * The file the sends go to, open for appending from the first send on. Its lines are written at
 * once (a reader sees them) and synced asynchronously, on the thread pool, not on the JS thread.
 */
function openJournal(file: string, sync: boolean) {
  let fd: number | undefined;
  return {
    async append(lines: string): Promise<void> {
      if (fd === undefined) {
        const created = !existsSync(file);
        fd = openSync(file, "a");
        if (created && sync) syncDirectory(dirname(file));
      }
      writeAll(fd, lines);
      if (sync) await datasync(fd);
    },
  };
}

const datasync = (fd: number) => new Promise<void>((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));

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

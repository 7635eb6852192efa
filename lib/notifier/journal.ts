import { existsSync, fdatasyncSync, openSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { cutTornTail, syncDirectory, writeAll } from "../fs/index.ts";
import type { Logger } from "../log/index.ts";
import type { Notification } from "./types.ts";

/** One call of `send`, as recorded: `duplicate` when the key had been delivered already. */
export type SendAttempt = Notification & { duplicate: boolean };

/**
 * The file the sends go to, open for appending from the first send on. The lines of the sends
 * made together (before the microtasks run: a handler sending to several orders at once) are
 * written together and synced once, and each send is answered only once its line is on the disk.
 * One fdatasync per message made the stand-in, not the flow, the bottleneck (a quarter of the
 * notification process's time). A microtask, not setImmediate: waiting for the next turn of the
 * event loop put every round of sends behind whatever else the loop held (in one process with
 * PGlite, seconds per push under load). The sync stays on the JS thread: on Bun's thread pool
 * (fs.fdatasync) the embedded flow completed 30 orders/s, here 41 (bun run bench --quick).
 */
export function openJournal(file: string, sync: boolean) {
  let fd: number | undefined;
  let lines: string[] = [];
  let waiting: Array<{ resolve(): void; reject(error: unknown): void }> = [];

  function flush(): void {
    const batch = lines.join("");
    const answered = waiting;
    lines = [];
    waiting = [];
    try {
      if (fd === undefined) {
        const created = !existsSync(file);
        fd = openSync(file, "a");
        if (created && sync) syncDirectory(dirname(file));
      }
      writeAll(fd, batch);
      if (sync) fdatasyncSync(fd);
    } catch (error) {
      for (const send of answered) send.reject(error);
      return;
    }
    for (const send of answered) send.resolve();
  }

  return {
    append(line: string): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        if (lines.length === 0) queueMicrotask(flush);
        lines.push(line);
        waiting.push({ resolve, reject });
      });
    },
  };
}

/** The attempts a file holds, as written so far (a line still being written is left out). */
export function readBack(file: string): SendAttempt[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .flatMap((line) => {
      const attempt = line ? parseAttempt(Buffer.from(line)) : undefined;
      return attempt ? [attempt] : [];
    });
}

export function readAttempts(file: string, log: Logger | undefined, sync: boolean): SendAttempt[] {
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

import { appendFileSync, existsSync, readFileSync } from "node:fs";
import type { Notification, Notifier } from "./types.ts";

export type RecordingNotifier = Notifier & { sent(): Notification[] };

/**
 * Records every send, in memory and, with `file`, as JSON lines that outlive the process: a test
 * can count sends per key across a crash. Every call is recorded, duplicates included, so that a
 * double send shows.
 */
export function createRecordingNotifier(options: { file?: string; log?: (line: string) => void } = {}): RecordingNotifier {
  const memory: Notification[] = [];
  return {
    async send(notification) {
      memory.push(notification);
      if (options.file) appendFileSync(options.file, `${JSON.stringify(notification)}\n`);
      options.log?.(`notify ${notification.userId}: ${notification.subject}`);
    },
    sent() {
      if (!options.file || !existsSync(options.file)) return [...memory];
      return readFileSync(options.file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Notification);
    },
  };
}

import { closeSync, existsSync, openSync, readSync } from "node:fs";

/** The messages that end an order's story: it shipped, or it was cancelled. */
export const finalTypes = new Set(["com.example.shipment.created", "com.example.order.cancelled"]);

export type Completion = { orderId: string; type: string; seenAt: number };

/**
 * Counts completed orders from the effect a customer sees: the final message the notifier sent
 * (`notifications.jsonl`, one JSON line per send attempt; a repeat of a key is marked duplicate and
 * was not delivered), in every file given (one per process that sends). Each file is read from
 * where the last read stopped, so a poll costs only the new lines; a line not yet complete waits
 * for the next poll.
 */
export function createCompletionTracker(files: string[]) {
  const completed = new Map<string, Completion>();
  const buffer = Buffer.alloc(1 << 20);
  const readers = files.map((file) => ({ file, offset: 0, partial: "" }));

  function newLines(reader: (typeof readers)[number]): string[] {
    if (!existsSync(reader.file)) return [];
    const fd = openSync(reader.file, "r");
    let text = reader.partial;
    try {
      for (let read = readSync(fd, buffer, 0, buffer.length, reader.offset); read > 0; read = readSync(fd, buffer, 0, buffer.length, reader.offset)) {
        reader.offset += read;
        text += buffer.toString("utf8", 0, read);
      }
    } finally {
      closeSync(fd);
    }
    const lines = text.split("\n");
    reader.partial = lines.pop() ?? "";
    return lines;
  }

  function poll(now = Date.now()): Completion[] {
    const fresh: Completion[] = [];
    for (const line of readers.flatMap(newLines)) {
      const done = completionOf(line, now);
      if (done && !completed.has(done.orderId)) {
        completed.set(done.orderId, done);
        fresh.push(done);
      }
    }
    return fresh;
  }

  return { poll, completed, has: (orderId: string) => completed.has(orderId) };
}

export type CompletionTracker = ReturnType<typeof createCompletionTracker>;

/** A delivered final message, or undefined for any other line (another step, a duplicate, a torn line). */
export function completionOf(line: string, seenAt: number): Completion | undefined {
  try {
    const attempt = JSON.parse(line) as { orderId?: string; type?: string; duplicate?: boolean };
    if (attempt.duplicate || !attempt.orderId || !attempt.type || !finalTypes.has(attempt.type)) return undefined;
    return { orderId: attempt.orderId, type: attempt.type, seenAt };
  } catch {
    return undefined;
  }
}

import { closeSync, existsSync, openSync, readSync } from "node:fs";

/** The messages that end an order's story: it shipped, or it was cancelled. */
export const finalTypes = new Set(["com.example.shipment.created", "com.example.order.cancelled"]);

export type Completion = { orderId: string; type: string; seenAt: number };

/**
 * Counts completed orders from the effect a customer sees: the final message the notifier sent
 * (`notifications.jsonl`, one JSON line per send attempt; a repeat of a key is marked duplicate and
 * was not delivered). The file is read from where the last read stopped, so a poll costs only the
 * new lines; a line not yet complete waits for the next poll.
 */
export function createCompletionTracker(file: string) {
  let offset = 0;
  let partial = "";
  const completed = new Map<string, Completion>();
  const buffer = Buffer.alloc(1 << 20);

  function poll(now = Date.now()): Completion[] {
    if (!existsSync(file)) return [];
    const fd = openSync(file, "r");
    let text = partial;
    try {
      for (let read = readSync(fd, buffer, 0, buffer.length, offset); read > 0; read = readSync(fd, buffer, 0, buffer.length, offset)) {
        offset += read;
        text += buffer.toString("utf8", 0, read);
      }
    } finally {
      closeSync(fd);
    }
    const lines = text.split("\n");
    partial = lines.pop() ?? "";
    const fresh: Completion[] = [];
    for (const line of lines) {
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

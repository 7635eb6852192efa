import { existsSync, readFileSync } from "node:fs";

export type LoggedSend = { idempotencyKey: string; duplicate: boolean };

/**
 * The recording notifier's JSON lines (lib/notifier/recording.ts): one line per send, `duplicate`
 * when the notifier had delivered the key before. A missing file is no send yet; a line that does
 * not parse (a send torn by a crash, which the notifier cuts off at its next start) is skipped.
 */
export function readNotificationLog(file: string): LoggedSend[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").flatMap((line) => {
    const send = parse(line);
    return send ? [send] : [];
  });
}

function parse(line: string): LoggedSend | undefined {
  try {
    const value = JSON.parse(line) as { idempotencyKey?: unknown; duplicate?: unknown };
    return typeof value?.idempotencyKey === "string" ? { idempotencyKey: value.idempotencyKey, duplicate: value.duplicate === true } : undefined;
  } catch {
    return undefined;
  }
}

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "bun:test";
import { notifierContract } from "./notifier.contract.ts";
import { createRecordingNotifier } from "./recording.ts";

notifierContract("recording, to a file", async () => {
  const file = join(mkdtempSync(join(tmpdir(), "orderflow-notifier-")), "sent.jsonl");
  const notifier = createRecordingNotifier({ file });
  return {
    notifier,
    reopen: async () => createRecordingNotifier({ file }),
    readBack: async () => createRecordingNotifier({ file }).sent(),
  };
});

test("every attempt is recorded, a repeated key included, so that a handler sending twice shows", async () => {
  const notifier = createRecordingNotifier();
  const message = { idempotencyKey: "k", userId: "u", orderId: "o", type: "t", subject: "s", body: "b" };
  await notifier.send(message);
  await notifier.send(message);
  expect(notifier.attempts().map((a) => a.duplicate)).toEqual([false, true]);
  expect(notifier.sent()).toHaveLength(1);
});

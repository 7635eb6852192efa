import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "bun:test";
import { notifierContract } from "./notifier.contract.ts";
import { createRecordingNotifier } from "./recording.ts";

notifierContract("recording, in memory", async () => {
  const notifier = createRecordingNotifier();
  return { notifier, readBack: async () => notifier.sent() };
});

notifierContract("recording, to a file", async () => {
  const file = join(mkdtempSync(join(tmpdir(), "orderflow-notifier-")), "sent.jsonl");
  const notifier = createRecordingNotifier({ file });
  return { notifier, readBack: async () => createRecordingNotifier({ file }).sent() };
});

test("every send is recorded, a repeated key included, so that a double send shows", async () => {
  const notifier = createRecordingNotifier();
  const message = { idempotencyKey: "k", userId: "u", orderId: "o", type: "t", subject: "s", body: "b" };
  await notifier.send(message);
  await notifier.send(message);
  expect(notifier.sent()).toHaveLength(2);
});

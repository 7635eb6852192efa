import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "bun:test";
import { createMemoryLogger } from "../log/index.ts";
import { notifierContract } from "./notifier.contract.ts";
import { createRecordingNotifier } from "./recording.ts";

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});
/** A file in a fresh folder of its own, removed after the file's tests. */
function scratchFile(): string {
  const folder = mkdtempSync(join(tmpdir(), "orderflow-notifier-"));
  folders.push(folder);
  return join(folder, "sent.jsonl");
}

notifierContract("recording, to a file", async () => {
  const file = scratchFile();
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

test("a send torn by a crash mid-append is cut off at start and logged; the sends before it are kept", async () => {
  const file = scratchFile();
  const message = (key: string) => ({ idempotencyKey: key, userId: "u", orderId: "o", type: "t", subject: "s", body: "b" });
  const first = createRecordingNotifier({ file });
  await first.send(message("a"));
  await first.send(message("b"));
  appendFileSync(file, '{"idempotencyKey":"c","userId":"u","ord');

  const logged = createMemoryLogger();
  const restarted = createRecordingNotifier({ file, log: logged });
  expect(logged.lines().map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ level: 40, bytes: 39, kept: 2, msg: expect.stringContaining("cut a send torn by a crash") })]);
  expect(restarted.sent().map((m) => m.idempotencyKey)).toEqual(["a", "b"]);
  expect(await restarted.send(message("c"))).toBe("delivered");
  expect(await restarted.send(message("a"))).toBe("duplicate");
  expect(createRecordingNotifier({ file }).attempts().map((a) => [a.idempotencyKey, a.duplicate])).toEqual([
    ["a", false],
    ["b", false],
    ["c", false],
    ["a", true],
  ]);
});

test("a damaged line with sends after it is refused rather than dropped", async () => {
  const file = scratchFile();
  writeFileSync(file, `{"idempotencyKey":"a"\n${JSON.stringify({ idempotencyKey: "b", duplicate: false })}\n`);
  expect(() => createRecordingNotifier({ file })).toThrow("unreadable, yet lines follow it");
});

test("sends made at once are recorded together, each answered as if alone: a key given twice is delivered once", async () => {
  const file = scratchFile();
  const notifier = createRecordingNotifier({ file });
  const keys = ["a", "b", "a", "c", "b", "d"];
  const message = (key: string) => ({ idempotencyKey: key, userId: "u", orderId: "o", type: "t", subject: "s", body: "b" });
  expect(await Promise.all(keys.map((key) => notifier.send(message(key))))).toEqual(["delivered", "delivered", "duplicate", "delivered", "duplicate", "delivered"]);
  expect(await notifier.send(message("c"))).toBe("duplicate");
  expect(createRecordingNotifier({ file }).attempts().map((a) => [a.idempotencyKey, a.duplicate])).toEqual([
    ["a", false],
    ["b", false],
    ["a", true],
    ["c", false],
    ["b", true],
    ["d", false],
    ["c", true],
  ]);
});

test("it remembers the newest keys only, as a provider keeps its keys for a window; every send stays in the file", async () => {
  const file = scratchFile();
  const message = (key: string) => ({ idempotencyKey: key, userId: "u", orderId: "o", type: "t", subject: "s", body: "b" });
  const notifier = createRecordingNotifier({ file, rememberedKeys: 10 });
  for (let i = 0; i < 11; i++) expect(await notifier.send(message(`k-${i}`))).toBe("delivered");
  // Full at the eleventh: the oldest (k-0) is forgotten, the rest still refused.
  expect(await notifier.send(message("k-2"))).toBe("duplicate");
  expect(await notifier.send(message("k-0"))).toBe("delivered");

  const restarted = createRecordingNotifier({ file, rememberedKeys: 10 });
  expect(await restarted.send(message("k-10"))).toBe("duplicate");
  expect(await restarted.send(message("k-1"))).toBe("delivered");
  expect(restarted.attempts().filter((a) => a.idempotencyKey === "k-0").map((a) => a.duplicate)).toEqual([false, false]);
});

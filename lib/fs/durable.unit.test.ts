import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test } from "bun:test";
import { makeDirectoryDurably, writeAll, writeFileDurably } from "./durable.ts";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "orderflow-fs-"));
  folders.push(dir);
  return dir;
}

test("a short write is continued until every byte is stored", () => {
  const path = join(folder(), "short");
  const fd = openSync(path, "w");
  const calls: number[] = [];
  const threeAtATime = (f: number, data: Uint8Array, offset: number, length: number, position: number | null) => {
    calls.push(offset);
    return writeSync(f, data, offset, Math.min(3, length), position);
  };
  writeAll(fd, "hello, world", null, threeAtATime);
  closeSync(fd);
  expect(readFileSync(path, "utf8")).toBe("hello, world");
  expect(calls).toEqual([0, 3, 6, 9]);
});

test("a write that stores nothing throws instead of looping forever", () => {
  const fd = openSync(join(folder(), "stuck"), "w");
  expect(() => writeAll(fd, "x", null, () => 0)).toThrow("stored no bytes");
  closeSync(fd);
});

test("writeFileDurably replaces the file whole and leaves no temporary file behind", () => {
  const dir = folder();
  const path = join(dir, "offsets.json");
  writeFileDurably(path, '{"a":1}');
  writeFileDurably(path, '{"a":2}', { mode: 0o600 });
  expect(readFileSync(path, "utf8")).toBe('{"a":2}');
  expect(readdirSync(dir)).toEqual(["offsets.json"]);
});

test("makeDirectoryDurably creates every missing level, and is idempotent", () => {
  const dir = join(folder(), "a", "b", "c");
  makeDirectoryDurably(dir);
  makeDirectoryDurably(dir);
  expect(existsSync(dir)).toBe(true);
  const fd = openSync(join(dir, "log"), "a");
  writeAll(fd, "one\n");
  writeAll(fd, "two\n");
  closeSync(fd);
  expect(readFileSync(join(dir, "log"), "utf8")).toBe("one\ntwo\n");
});

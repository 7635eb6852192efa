import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test } from "bun:test";
import { hasCode } from "../errors/index.ts";
import { cutTornTail, LinesErrorCode, scanLines } from "./lines.ts";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});
function file(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), "orderflow-lines-"));
  folders.push(dir);
  const path = join(dir, "lines");
  writeFileSync(path, content);
  return path;
}
const isJson = (line: Buffer) => {
  try {
    JSON.parse(line.toString());
    return true;
  } catch {
    return false;
  }
};

test("scanLines visits whole lines with their positions, across chunks, and stops where told", () => {
  const long = "x".repeat(100_000);
  const path = file(`a\n${long}\nbc\npartial`);
  const fd = openSync(path, "r");
  const seen: Array<[string, number]> = [];
  const end = scanLines(fd, 0, (line, position) => void seen.push([line.toString().slice(0, 3), position]));
  expect(seen).toEqual([["a", 0], ["xxx", 2], ["bc", 100_003]]);
  expect(end).toBe(100_006);
  expect(scanLines(fd, 2, (line) => line.length < 10)).toBe(2);
  closeSync(fd);
});

test("a torn last line is cut off; the lines before it are kept", () => {
  const path = file('{"n":1}\n{"n":2}\n{"n":');
  const { size, torn } = cutTornTail(path, isJson);
  expect(readFileSync(path, "utf8")).toBe('{"n":1}\n{"n":2}\n');
  expect({ size, torn }).toEqual({ size: 16, torn: { path, position: 16, bytes: 5 } });
});

test("an unreadable last line that ends in a newline is cut too; an intact file is left alone", () => {
  const path = file('{"n":1}\n\0\0\0\n');
  expect(cutTornTail(path, isJson).torn?.bytes).toBe(4);
  expect(cutTornTail(path, isJson)).toEqual({ size: 8 });
});

test("an unreadable line with readable ones after it is damage: refused, nothing cut", () => {
  const path = file('{"n":1}\n{"n"\n{"n":3}\n');
  let error: unknown;
  try {
    cutTornTail(path, isJson);
  } catch (caught) {
    error = caught;
  }
  expect(hasCode(error, LinesErrorCode.damaged)).toBe(true);
  expect((error as Error).message).toContain("byte 8");
  expect(readFileSync(path, "utf8")).toBe('{"n":1}\n{"n"\n{"n":3}\n');
});

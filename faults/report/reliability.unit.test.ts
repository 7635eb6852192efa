import { expect, test } from "bun:test";
import { errorExcerpt } from "./reliability.ts";

test("an error's excerpt keeps its first line and its end, where a child's exception is", () => {
  const log = Array.from({ length: 200 }, (_, i) => `{"msg":"line ${i}"}`).join("\n");
  const error = `payment exited with 1 during start-up:\n${log}\nerror: Failed to start server. Is port 33014 in use?`;
  const excerpt = errorExcerpt(error);
  expect(excerpt.startsWith("payment exited with 1 during start-up:\n…\n")).toBe(true);
  expect(excerpt.endsWith("Is port 33014 in use?")).toBe(true);
  expect(excerpt).not.toContain('"line 0"');
  expect(errorExcerpt("timed out")).toBe("timed out");
  expect(errorExcerpt("short\ntail")).toBe("short\ntail");
});

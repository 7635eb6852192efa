import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test } from "bun:test";
import { hasCode } from "../errors/index.ts";
import { LockErrorCode, lockDataDir } from "./folder-lock.ts";

const folders: string[] = [];
const pids: number[] = [];
afterEach(() => {
  for (const pid of pids.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "orderflow-lock-"));
  folders.push(dir);
  return dir;
}

/** A child process that takes the lock, starts a grandchild (which must not inherit it), says so, and waits. */
async function holder(dir: string) {
  const script = `import { lockDataDir } from ${JSON.stringify(join(import.meta.dir, "index.ts"))};
    lockDataDir(${JSON.stringify(dir)});
    const grandchild = Bun.spawn(["sleep", "60"], { stdout: "ignore" });
    console.log("locked " + grandchild.pid);
    setInterval(() => {}, 1000);`;
  const child = Bun.spawn(["bun", "-e", script], { stdout: "pipe", stderr: "inherit" });
  pids.push(child.pid);
  const reader = child.stdout.getReader();
  let said = "";
  while (!said.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the holder exited before locking: ${said}`);
    said += new TextDecoder().decode(value);
  }
  const grandchild = Number(said.trim().split(" ")[1]);
  pids.push(grandchild);
  return { child, grandchild };
}

function lockError(dir: string): unknown {
  try {
    lockDataDir(dir).release();
    return undefined;
  } catch (error) {
    return error;
  }
}

test("a second holder gets a clear error naming the folder and the holder", async () => {
  const dir = folder();
  const { child } = await holder(dir);
  const error = lockError(dir);
  expect(hasCode(error, LockErrorCode.dataDirLocked)).toBe(true);
  expect((error as Error).message).toContain(dir);
  expect((error as Error).message).toContain(`process ${child.pid}`);
});

test("kill -9 of the holder frees the folder at once, even while its own child still runs", async () => {
  const dir = folder();
  const { child, grandchild } = await holder(dir);
  expect(lockError(dir)).toBeDefined();
  child.kill(9);
  await child.exited;
  expect(() => process.kill(grandchild, 0)).not.toThrow(); // still alive, yet holds nothing
  const lock = lockDataDir(dir);
  lock.release();
});

test("in one process too, the folder has one holder until it is released", () => {
  const dir = folder();
  const first = lockDataDir(dir);
  expect(hasCode(lockError(dir), LockErrorCode.dataDirLocked)).toBe(true);
  first.release();
  first.release();
  lockDataDir(dir).release();
});

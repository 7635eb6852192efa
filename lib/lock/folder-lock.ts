import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { AppError } from "../errors/index.ts";
import { writeAll } from "../fs/index.ts";
import { tryLockExclusive } from "./flock.ts";

export type FolderLock = { readonly path: string; release(): void };

export const LockErrorCode = { dataDirLocked: "data_dir.locked", unavailable: "lock.unavailable" } as const;

/**
 * One process per folder, held by a kernel advisory lock (flock(2)) on `<folder>/LOCK`.
 *
 * Why not a pid file: a pid file outlives its writer, so the next process must guess whether that
 * pid still runs. Right after kill -9 the killed process may still be exiting (its pid alive, its
 * files not yet closed) and a supervisor restarting at once is refused; later the pid may belong
 * to an unrelated process and the folder is refused for good. A kernel lock has no such guess:
 * it belongs to the open file and the kernel drops it the moment the holder dies, however it dies.
 *
 * The LOCK file is never deleted: deleting it while another process waits on the old inode would
 * let a third create a new one and two would hold "the" lock. The pid in it only names the
 * holder in the error; it decides nothing. The descriptor is opened close-on-exec (as Bun and
 * Node open every file), so a child process does not inherit the lock and outlive it.
 */
export function lockFolder(folder: string, options: { code?: string; what?: string } = {}): FolderLock {
  const { code = LockErrorCode.dataDirLocked, what = "DATA_DIR" } = options;
  mkdirSync(folder, { recursive: true });
  const path = join(folder, "LOCK");
  const fd = openSync(path, "a+");
  let locked: boolean;
  try {
    locked = tryLockExclusive(fd);
  } catch (error) {
    closeSync(fd);
    throw new AppError(LockErrorCode.unavailable, `cannot lock ${what} ${resolve(folder)}: ${(error as Error).message}`, { cause: error });
  }
  if (!locked) {
    closeSync(fd);
    const holder = readFileSync(path, "utf8").trim();
    const by = holder ? ` by process ${holder}` : "";
    throw new AppError(code, `${what} ${resolve(folder)} is in use${by}: stop that process first, or point this one at another folder`, { status: 409 });
  }
  ftruncateSync(fd, 0);
  writeAll(fd, `${process.pid}\n`);
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      closeSync(fd); // closing the last descriptor drops the lock
    },
  };
}

/** The lock every process that opens DATA_DIR (PGlite, the embedded broker, the notifier's log) takes first. */
export function lockDataDir(dataDir: string): FolderLock {
  return lockFolder(dataDir, { code: LockErrorCode.dataDirLocked, what: "DATA_DIR" });
}

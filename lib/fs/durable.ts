import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { dirname, resolve } from "node:path";

type Write = (fd: number, data: Uint8Array, offset: number, length: number, position: number | null) => number;

/**
 * write(2) may store fewer bytes than asked (a full disk, a signal, a pipe): loops until every
 * byte is written. `position` null appends at the file's offset.
 */
export function writeAll(fd: number, data: Uint8Array | string, position: number | null = null, write: Write = writeSync): void {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  let written = 0;
  while (written < bytes.length) {
    const n = write(fd, bytes, written, bytes.length - written, position === null ? null : position + written);
    if (n <= 0) throw new Error(`write(2) stored no bytes (${written} of ${bytes.length} written)`);
    written += n;
  }
}

/**
 * Makes a directory entry durable: a file just created, renamed or deleted survives power loss
 * only once its directory is synced too (fsync(2) of the file covers its data, not its name).
 */
export function syncDirectory(dir: string): void {
  if (process.platform === "win32") return; // a directory cannot be opened for fsync there
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces `path` so that a crash at any point leaves the old content or the new, never a torn
 * or empty file: write a temporary file, fsync it, rename it over, fsync the directory.
 * Without `sync` (tests), the same steps without the flushes: still whole after a killed process.
 */
export function writeFileDurably(path: string, data: Uint8Array | string, options: { mode?: number; sync?: boolean } = {}): void {
  const { mode = 0o666, sync = true } = options;
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, "w", mode);
  try {
    writeAll(fd, data);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  if (sync) syncDirectory(dirname(path));
}

/** mkdir -p, then syncs the parent of every directory it created, so that they outlive a power loss. */
export function makeDirectoryDurably(path: string, sync = true): void {
  const first = mkdirSync(path, { recursive: true });
  if (first === undefined || !sync) return;
  const top = resolve(first);
  for (let dir = resolve(path); dirname(dir) !== dir; dir = dirname(dir)) {
    syncDirectory(dirname(dir));
    if (dir === top) return;
  }
}

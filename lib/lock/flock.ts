import { dlopen, FFIType, read } from "bun:ffi";

const LOCK_EX = 2;
const LOCK_NB = 4;
/** EWOULDBLOCK: Linux 11, macOS and the BSDs 35. */
const wouldBlock = new Set([11, 35]);

type Libc = { flock(fd: number, operation: number): number; errno(): number };

let libc: Libc | undefined;

/** Bun has no flock API: libc's, through bun:ffi, opened on first use. */
function openLibc(): Libc {
  const candidates = process.platform === "darwin" ? ["libSystem.B.dylib", "/usr/lib/libSystem.B.dylib"] : ["libc.so.6", "libc.so"];
  const errnoSymbol = process.platform === "darwin" ? "__error" : "__errno_location";
  const failures: string[] = [];
  for (const path of candidates) {
    try {
      const { symbols } = dlopen(path, {
        flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
        [errnoSymbol]: { args: [], returns: FFIType.ptr },
      });
      const errnoAt = symbols[errnoSymbol] as () => number | null;
      return { flock: (fd, operation) => symbols.flock(fd, operation), errno: () => read.i32(errnoAt()!) };
    } catch (error) {
      failures.push(`${path}: ${(error as Error).message}`);
    }
  }
  throw new Error(`flock(2) is not available on ${process.platform} (${failures.join("; ")})`);
}

/**
 * flock(fd, LOCK_EX | LOCK_NB): true when this file description now holds the exclusive lock,
 * false when another holds it. The kernel drops the lock when the last descriptor of the open
 * file is closed, which includes the holder's death by any signal.
 */
export function tryLockExclusive(fd: number): boolean {
  libc ??= openLibc();
  if (libc.flock(fd, LOCK_EX | LOCK_NB) === 0) return true;
  const errno = libc.errno();
  if (wouldBlock.has(errno)) return false;
  throw new Error(`flock(2) failed with errno ${errno}`);
}

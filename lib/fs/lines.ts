import { closeSync, fstatSync, ftruncateSync, fsyncSync, openSync, readSync } from "node:fs";
import { AppError } from "../errors/index.ts";

const chunkBytes = 64 * 1024;

/**
 * Hands each newline-terminated line from byte `start` on to `visit` (with the line's position;
 * the buffer is only valid during the call), in chunks, so a large file is never read whole.
 * `visit` returns false to stop before that line. Bytes after the last newline are not a line.
 * Returns the position just after the last line visited and not refused.
 */
export function scanLines(fd: number, start: number, visit: (line: Buffer, position: number) => boolean | void): number {
  let position = start;
  let pending = Buffer.alloc(0);
  for (;;) {
    const chunk = Buffer.allocUnsafe(chunkBytes);
    const read = readSync(fd, chunk, 0, chunkBytes, position + pending.length);
    if (read === 0) return position;
    const buffer = pending.length > 0 ? Buffer.concat([pending, chunk.subarray(0, read)]) : chunk.subarray(0, read);
    let lineStart = 0;
    for (let newline = buffer.indexOf(10); newline >= 0; newline = buffer.indexOf(10, lineStart)) {
      if (visit(buffer.subarray(lineStart, newline), position + lineStart) === false) return position + lineStart;
      lineStart = newline + 1;
    }
    position += lineStart;
    pending = buffer.subarray(lineStart);
  }
}

export type TornTail = { path: string; position: number; bytes: number };

export const LinesErrorCode = { damaged: "fs.damaged_lines" } as const;

/**
 * Opens an append-only file of lines and cuts a torn tail off: a process that dies mid-append
 * leaves a partial last line, which the next append would glue to a whole one. Every whole line
 * goes to `accept`; the file is kept up to the last accepted line. A refused line FOLLOWED by an
 * accepted one is damage, not a torn append: that throws, rather than drop lines that were
 * acknowledged. Returns the kept size and the cut tail, if there was one.
 */
export function cutTornTail(path: string, accept: (line: Buffer, position: number) => boolean, sync = true): { size: number; torn?: TornTail } {
  const fd = openSync(path, "r+");
  try {
    let refusedAt: number | undefined;
    const end = scanLines(fd, 0, (line, position) => {
      const accepted = accept(line, position);
      if (accepted && refusedAt !== undefined) {
        throw new AppError(LinesErrorCode.damaged, `${path}: the line at byte ${refusedAt} is unreadable, yet lines follow it; move the file away or repair it`);
      }
      if (!accepted) refusedAt ??= position;
    });
    const size = refusedAt ?? end;
    const fileBytes = fstatSync(fd).size;
    if (size === fileBytes) return { size };
    ftruncateSync(fd, size);
    if (sync) fsyncSync(fd);
    return { size, torn: { path, position: size, bytes: fileBytes - size } };
  } finally {
    closeSync(fd);
  }
}

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { AppError } from "../errors/index.ts";
import { writeFileDurably } from "../fs/index.ts";

/** A consumer group's committed offsets: "topic/partition" → the next offset to deliver. */
export type CommittedOffsets = Record<string, string>;

export const offsetKey = (topic: string, partition: number) => `${topic}/${partition}`;

export function offsetsFile(dir: string, group: string): string {
  return join(dir, `${encodeURIComponent(group)}.json`);
}

/** Written by rename with fsync (writeFileDurably), so an unreadable file is damage, never a torn write. */
export function readOffsets(path: string): CommittedOffsets {
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, "utf8")) as CommittedOffsets;
  } catch (error) {
    throw new AppError("broker.damaged_offsets", `${path} is unreadable; move it away to start the group from the earliest record`, { cause: error });
  }
}

export function writeOffsets(path: string, offsets: CommittedOffsets, sync: boolean): void {
  writeFileDurably(path, JSON.stringify(offsets), { sync });
}

/** Every group that ever committed in `dir`, running in this process or not. */
export function allCommittedOffsets(dir: string): Array<{ group: string; offsets: CommittedOffsets }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .map((name) => ({ group: decodeURIComponent(name.slice(0, -".json".length)), offsets: readOffsets(join(dir, name)) }));
}

/** One partition's offset as committed on disk in `dir`; undefined when the group never committed it. */
export function storedOffset(dir: string, group: string, topic: string, partition: number): bigint | undefined {
  const stored = readOffsets(offsetsFile(dir, group))[offsetKey(topic, partition)];
  return stored === undefined ? undefined : BigInt(stored);
}

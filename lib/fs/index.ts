export { makeDirectoryDurably, syncDirectory, writeAll, writeFileDurably } from "./durable.ts";
export { cutTornTail, LinesErrorCode, scanLines, type TornTail } from "./lines.ts";

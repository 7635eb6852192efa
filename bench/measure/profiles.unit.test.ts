import { describe, expect, test } from "bun:test";
import { partOf, summarizeProfile } from "./profiles.ts";

const root = "/repo";
const frame = (functionName: string, url = "", lineNumber = 0) => ({ functionName, url, lineNumber });

describe("CPU profiles", () => {
  test("a frame's part: a package (scoped too), a folder of ours, or the runtime's", () => {
    expect(partOf("file:///repo/node_modules/drizzle-orm/sql/sql.js", root)).toBe("drizzle-orm");
    expect(partOf("/repo/node_modules/@platformatic/kafka/dist/x.js", root)).toBe("@platformatic/kafka");
    expect(partOf("/repo/lib/db/unnest.ts", root)).toBe("lib/db");
    expect(partOf("/repo/apps/payment/app.ts", root)).toBe("apps/payment");
    expect(partOf("", root)).toBeUndefined();
    expect(partOf("node:net", root)).toBeUndefined();
  });

  test("native work counts for the nearest file up the stack; self time stays the function's own", () => {
    const profile = {
      nodes: [
        { id: 1, callFrame: frame("(root)"), children: [2, 5] },
        { id: 2, callFrame: frame("handle", "file:///repo/lib/http/apply-push.ts", 9), children: [3] },
        { id: 3, callFrame: frame("execute", "file:///repo/node_modules/postgres/src/connection.js", 171), children: [4] },
        { id: 4, callFrame: frame("writeBuffered") },
        { id: 5, callFrame: frame("(idle)") },
      ],
      samples: [4, 4, 4, 2, 5, 5, 5, 5],
    };
    const summary = summarizeProfile(profile, root);
    expect(summary.samples).toBe(4);
    expect(summary.parts).toEqual([{ name: "postgres", share: 0.75 }, { name: "lib/http", share: 0.25 }]);
    expect(summary.functions).toEqual([{ name: "writeBuffered (native)", share: 0.75 }, { name: "handle (lib/http/apply-push.ts:10)", share: 0.25 }]);
  });

  test("a sample blocked on a disk sync is waiting for the disk, not its caller's work", () => {
    const profile = {
      nodes: [
        { id: 1, callFrame: frame("(root)"), children: [2] },
        { id: 2, callFrame: frame("flush", "file:///repo/lib/notifier/journal.ts", 23), children: [3, 4] },
        { id: 3, callFrame: frame("fdatasyncSync") },
        { id: 4, callFrame: frame("writeSync") },
      ],
      samples: [3, 3, 3, 4],
    };
    expect(summarizeProfile(profile, root).parts).toEqual([
      { name: "waiting for the disk (fsync, fdatasync)", share: 0.75 },
      { name: "lib/notifier", share: 0.25 },
    ]);
  });

  test("a sample with no file on its stack is the runtime's", () => {
    const profile = { nodes: [{ id: 1, callFrame: frame("(root)"), children: [2] }, { id: 2, callFrame: frame("(garbage collector)") }], samples: [2, 2] };
    expect(summarizeProfile(profile, root).parts).toEqual([{ name: "runtime (event loop, I/O, timers)", share: 1 }]);
  });
});

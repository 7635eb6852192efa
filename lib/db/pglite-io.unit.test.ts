import { expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { createPgliteDatabase } from "./pglite.ts";

test("PGlite with a queue of work still lets HTTP in between its queries (a request is answered before the queue drains)", async () => {
  const database = await createPgliteDatabase();
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("ok") });
  try {
    const queued = 300;
    let finished = 0;
    // About a millisecond of work each, all queued at once, as a busy flow queues its transactions.
    const work = Array.from({ length: queued }, () => database.db.execute(sql`select count(*) from generate_series(1, 3000)`).then(() => finished++));
    const answered = fetch(`http://127.0.0.1:${server.port}/`).then(async (response) => ({ body: await response.text(), finishedBefore: finished }));
    const [{ body, finishedBefore }] = await Promise.all([answered, Promise.all(work)]);
    expect(body).toBe("ok");
    // Without a turn of the event loop between queries, the request waited for all of them.
    expect(finishedBefore).toBeLessThan(queued);
  } finally {
    server.stop(true);
    await database.close();
  }
}, 30_000);

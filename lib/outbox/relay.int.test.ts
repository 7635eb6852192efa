import { describe } from "bun:test";
import { migrate } from "../db/index.ts";
import { createScratchDatabase, tryGetServiceUrl } from "../testing/index.ts";
import { relaySuite } from "./relay.suite.ts";

const url = tryGetServiceUrl("postgres");
if (url) {
  relaySuite(
    "PostgreSQL",
    async () => {
      const scratch = await createScratchDatabase(url);
      const database = await scratch.open();
      await migrate(database);
      return { database, cleanup: scratch.drop };
    },
    { interleaves: true },
  );
} else {
  describe.skip("outbox relay on PostgreSQL (DATABASE_URL not set)", () => {});
}

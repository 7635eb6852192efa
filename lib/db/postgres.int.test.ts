import { describe } from "bun:test";
import { createScratchDatabase, tryGetServiceUrl } from "../testing/index.ts";
import { databaseContract } from "./database.contract.ts";

const url = tryGetServiceUrl("postgres");
if (url) {
  databaseContract("PostgreSQL", async () => {
    const scratch = await createScratchDatabase(url);
    return { database: await scratch.open(), cleanup: scratch.drop };
  });
} else {
  describe.skip("database contract: PostgreSQL (DATABASE_URL not set)", () => {});
}

import { describe } from "bun:test";
import { systemClock, uuidV7Ids } from "../clock/index.ts";
import { migrate } from "../db/index.ts";
import { createScratchDatabase, tryGetServiceUrl } from "../testing/index.ts";
import { paymentGatewayContract } from "./payment-gateway.contract.ts";
import { createSandboxGateway } from "./sandbox.ts";

const url = tryGetServiceUrl("postgres");
if (url) {
  paymentGatewayContract("sandbox on PostgreSQL", async () => {
    const scratch = await createScratchDatabase(url);
    const database = await scratch.open();
    await migrate(database);
    return {
      gateway: createSandboxGateway({ db: database.db, clock: systemClock, ids: uuidV7Ids }),
      cleanup: async () => {
        await database.close();
        await scratch.drop();
      },
    };
  });
} else {
  describe.skip("payment gateway contract: sandbox on PostgreSQL (DATABASE_URL not set)", () => {});
}

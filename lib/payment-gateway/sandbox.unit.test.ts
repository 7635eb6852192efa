import { systemClock, uuidV7Ids } from "../clock/index.ts";
import { createTestDatabase } from "../testing/index.ts";
import { paymentGatewayContract } from "./payment-gateway.contract.ts";
import { createSandboxGateway } from "./sandbox.ts";

paymentGatewayContract("sandbox on PGlite", async () => {
  const database = await createTestDatabase();
  return { gateway: createSandboxGateway({ db: database.db, clock: systemClock, ids: uuidV7Ids }), cleanup: () => database.close() };
});

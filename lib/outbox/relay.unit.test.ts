import { createTestDatabase } from "../testing/index.ts";
import { relaySuite } from "./relay.suite.ts";

relaySuite("PGlite", async () => ({ database: await createTestDatabase(), cleanup: async () => {} }), { interleaves: false });

import { databaseContract } from "./database.contract.ts";
import { createPgliteDatabase } from "./pglite.ts";

databaseContract("PGlite", async () => ({ database: await createPgliteDatabase(), cleanup: async () => {} }));

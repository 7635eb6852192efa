import { defineConfig } from "drizzle-kit";

// One database, one schema per service; migrations are generated into drizzle/ and applied by
// lib/db/migrate.ts at start-up.
export default defineConfig({
  dialect: "postgresql",
  schema: ["./apps/*/store/schema.ts", "./lib/payment-gateway/sandbox-schema.ts"],
  out: "./drizzle",
});

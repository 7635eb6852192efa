import { migrate } from "../lib/db/index.ts";
import { engineConfigFromEnv, openBroker, openDatabase, runServiceProcess } from "../lib/engines/index.ts";
import { replayDeadLetters } from "./replay/replay-dead-letters.ts";
import { findService, roster } from "./roster.ts";

/**
 * `bun run start <name>`: one process of the flow (docs/operations.md). A service from the roster,
 * the relay or the dispatcher runs until SIGTERM. `migrate` applies the database migrations and
 * exits: run it once before the others (compose.yaml runs it as a job they depend on).
 */
const workers = { relay: "./relay/index.ts", dispatcher: "./dispatcher/index.ts" } as const;
const names = [...roster.map((s) => s.name), ...Object.keys(workers), "migrate", "replay-dead-letters [service]"];

const name = process.argv[2] ?? "";
const service = findService(name);
if (service) {
  await runServiceProcess(service, process.env);
} else if (name === "migrate") {
  // The composition root of `migrate`, so it reads the environment here.
  const config = engineConfigFromEnv(process.env);
  if (!config.databaseUrl) {
    console.error("migrate: set DATABASE_URL (the PostgreSQL database every service process uses)");
    process.exit(1);
  }
  const database = await openDatabase(config);
  try {
    await migrate(database);
    console.log("migrate: the database is up to date");
  } finally {
    await database.close();
  }
} else if (name === "replay-dead-letters") {
  const config = engineConfigFromEnv(process.env);
  if (!config.kafkaBrokers) {
    console.error("replay-dead-letters: set KAFKA_BROKERS (with `bun run dev`, POST /admin/dead-letters/replay instead)");
    process.exit(1);
  }
  const broker = await openBroker(config, "orderflow-replay");
  const result = await replayDeadLetters({ broker, service: process.argv[3] });
  console.log(`replay-dead-letters: ${result.replayed} replayed, ${result.skipped} left alone (not events of the flow)`);
  await broker.close();
} else if (Object.hasOwn(workers, name)) {
  await import(workers[name as keyof typeof workers]);
} else {
  console.error(`usage: bun run start <${names.join(" | ")}>${name ? ` (unknown: "${name}")` : ""}`);
  process.exit(2);
}

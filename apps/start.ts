import { join } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import type { ResetPoint } from "../lib/broker/index.ts";
import { isRfc3339 } from "../lib/cloudevents/index.ts";
import { allTopics } from "../lib/events/index.ts";
import { migrate } from "../lib/db/index.ts";
import { engineConfigFromEnv, openBroker, openDatabase, requireEngines, runServiceProcess } from "../lib/engines/index.ts";
import { createLogger } from "../lib/log/index.ts";
import { lockDataDir } from "../lib/lock/index.ts";
import { devSecurityEnv, issueToken, securityConfigFromEnv } from "../lib/security/index.ts";
import { formatAudit } from "./audit/report.ts";
import { runAudit } from "./audit/run-audit.ts";
import { replayDeadLetters } from "./replay/replay-dead-letters.ts";
import { listDeadLetters, redrive } from "./replay/dead-letter-cli.ts";
import { filterOf, selectionOf } from "./replay/dead-letter-selection.ts";
import { replaySubscription } from "./replay/replay-subscription.ts";
import { replayTarget } from "./replay/replay-target.ts";
import { roster } from "./roster.ts";
import { superviseWorkers } from "./workers/supervise.ts";

/**
 * `bun run start <command>`: one process of the flow, or one operation (docs/operations.md). The
 * composition root of each: the only place that reads the environment. `--help` on every command.
 */
const env = process.env;
const program = new Command("bun run start")
  .description("Run one process of orderflow (one per service, the relay, dispatchers) or one operation.")
  .showHelpAfterError()
  .exitOverride((error) => process.exit(error.exitCode));

for (const service of roster) {
  program
    .command(service.name)
    .description(`the ${service.name} service: public API on PORT (default ${service.port}), signed pushes on INTERNAL_PORT (default PORT + 1)`)
    .action(() => runServiceProcess(service, env));
}

program
  .command("relay")
  .description("publish every service's outbox to Kafka (needs DATABASE_URL and KAFKA_BROKERS)")
  .action(async () => {
    await import("./relay/index.ts");
  });

program
  .command("dispatcher")
  .description("consume every subscription and push signed CloudEvents to the services (run several)")
  .action(async () => {
    await import("./dispatcher/index.ts");
  });

program
  .command("workers")
  .description("the whole flow (every service, the relay, a dispatcher) in several processes on one port, one per core: what settles the most orders on one machine (needs DATABASE_URL and KAFKA_BROKERS)")
  .option("--count <n>", "how many workers", workerCount, navigator.hardwareConcurrency)
  .action(async (options: { count: number }) => {
    const log = createLogger({ name: "workers", level: env.LOG_LEVEL });
    requireEngines(log, env, ["databaseUrl", "kafkaBrokers"]);
    const entry = join(import.meta.dir, "dev", "index.ts");
    await superviseWorkers({ count: options.count, env, log, argv: [process.execPath, entry] }).catch((error: unknown) => {
      log.error({ error }, "workers: the first worker did not start (its output above says why)");
      process.exit(1);
    });
  });

program
  .command("migrate")
  .description("apply the database migrations in drizzle/, then exit (run once before the services)")
  .action(async () => {
    const config = engineConfigFromEnv(env);
    if (!config.databaseUrl) program.error("migrate: set DATABASE_URL (the PostgreSQL database every service process uses)");
    const database = await openDatabase(config);
    try {
      await migrate(database);
      console.log("migrate: the database is up to date");
    } finally {
      await database.close();
    }
  });

program
  .command("audit")
  .description("check the flow's invariants over the whole state, with the flow at rest; exit 1 on a breach")
  .action(async () => {
    const config = engineConfigFromEnv(env);
    // PGlite under DATA_DIR has one owner: the auditor takes the folder's lock, so it never opens a running flow's database.
    const dataDirLock = config.databaseUrl ? undefined : lockDataDir(config.dataDir);
    const database = await openDatabase(config);
    try {
      const result = await runAudit(database, { notificationsFile: join(config.dataDir, "notifications.jsonl") });
      console.log(formatAudit(result));
      if (result.breaches.length > 0) process.exitCode = 1;
    } finally {
      await database.close();
      dataDirLock?.release();
    }
  });

program
  .command("replay-dead-letters")
  .description("put dead-lettered events back on their topics (safe: every handler is idempotent)")
  .argument("[service]", `only this subscriber's dead letters: ${roster.map((s) => s.name).join(", ")}`)
  .action(async (service?: string) => {
    const config = engineConfigFromEnv(env);
    if (!config.kafkaBrokers) program.error("replay-dead-letters: set KAFKA_BROKERS (with `bun run dev`, POST /admin/dead-letters/replay instead)");
    const log = createLogger({ name: "replay-dead-letters", level: env.LOG_LEVEL });
    const broker = await openBroker(config, log, "orderflow-replay");
    const result = await replayDeadLetters({ broker, service: replayTarget(service), log });
    console.log(`replay-dead-letters: ${result.replayed} replayed, ${result.skipped} left alone (not events of the flow)`);
    await broker.close();
  });

program
  .command("token")
  .description("print a bearer token for a customer or a member of staff (HS256: ORDERFLOW_JWT_SECRET, or bun run dev's secret under DATA_DIR)")
  .argument("<sub>", "who the token is for: the customer's id, or a staff member's")
  .addOption(new Option("--role <role>", "customer or staff").choices(["customer", "staff"]).default("customer"))
  .option("--ttl <hours>", "hours until it expires", hours, 24)
  .action(async (sub: string, options: { role: "customer" | "staff"; ttl: number }) => {
    const dataDir = env.DATA_DIR ?? ".data";
    const { tokens } = securityConfigFromEnv({ ...env, ...devSecurityEnv(dataDir, env) });
    if (!tokens.secret) program.error("token: tokens come from your identity provider (ORDERFLOW_JWT_JWKS_URL is set); this command signs HS256 tokens only");
    console.log(await issueToken(tokens, { sub, role: options.role }, options.ttl * 3600));
  });

program
  .command("replay")
  .description("move a subscription back to a point in the log, so the dispatcher delivers from there again (stop the dispatcher first)")
  .argument("<subscription>", `the subscribing service: ${roster.map((s) => s.name).join(", ")}`)
  .requiredOption("--from <point>", "earliest, an offset (a non-negative integer, on every partition), or an RFC 3339 time", resetPoint)
  .action(async (service: string, options: { from: ResetPoint }) => {
    const config = engineConfigFromEnv(env);
    const log = createLogger({ name: "replay", level: env.LOG_LEVEL });
    // Embedded: the broker folder's lock refuses while `bun run dev` runs (broker.locked); Kafka: a group with members is refused (broker.group_active).
    const broker = await openBroker(config, log, "orderflow-replay");
    try {
      const { group, topics } = await replaySubscription(broker, service, options.from);
      console.log(`replay: consumer group ${group} reset on ${topics.join(", ")}; start the dispatcher to deliver again`);
    } finally {
      await broker.close();
    }
  });

const deadLetters = program.command("dead-letters").description("dead letters: list them, redrive them");
deadLetters
  .command("list")
  .description("the dead letters still waiting for a redrive (reads, consumes nothing)")
  .option("--service <service>", "only those of this subscriber")
  .option("--order-id <orderId>", "only this order's")
  .option("--type <type>", "only events of this type")
  .option("--limit <n>", "at most this many")
  .action(async (options: { service?: string; orderId?: string; type?: string; limit?: string }) => {
    const broker = await deadLetterBroker();
    try {
      console.log(JSON.stringify(await listDeadLetters(broker, filterOf(options)), null, 2));
    } finally {
      await broker.close();
    }
  });
deadLetters
  .command("redrive")
  .description("put dead-lettered events back on their topics, in order, once: one by its dead-letter offset, an order's, or a type's")
  .option("--offset <offset>", "the dead letter at this offset")
  .option("--order-id <orderId>", "every dead letter of this order")
  .option("--type <type>", "every dead letter of this type")
  .action(async (options: { offset?: string; orderId?: string; type?: string }) => {
    const broker = await deadLetterBroker();
    try {
      const result = await redrive(broker, selectionOf(options), createLogger({ name: "dead-letters", level: env.LOG_LEVEL }));
      console.log(`dead-letters redrive: ${result.redriven} redriven (${result.published} events published), ${result.skipped} left alone`);
    } finally {
      await broker.close();
    }
  });

async function deadLetterBroker() {
  const config = engineConfigFromEnv(env);
  if (!config.kafkaBrokers) program.error("dead-letters: set KAFKA_BROKERS (with `bun run dev`: GET /admin/dead-letters, POST /admin/dead-letters/redrive)");
  const broker = await openBroker(config, createLogger({ name: "dead-letters", level: env.LOG_LEVEL }), "orderflow-dead-letters");
  // A fresh cluster (or namespace) has no dead-letters topic yet: an empty list, not an error.
  await broker.ensureTopics(allTopics);
  return broker;
}

function resetPoint(value: string): ResetPoint {
  if (value === "earliest") return { earliest: true };
  if (/^\d+$/.test(value)) return { offset: BigInt(value) };
  if (isRfc3339(value)) return { time: new Date(value) };
  throw new InvalidArgumentError("earliest, a non-negative integer offset, or an RFC 3339 time (2026-11-30T09:00:00Z)");
}

function workerCount(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 64) throw new InvalidArgumentError("a whole number of workers, 1 to 64");
  return number;
}

function hours(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || number > 24 * 365) throw new InvalidArgumentError("a number of hours, at most a year");
  return number;
}

await program.parseAsync(process.argv);

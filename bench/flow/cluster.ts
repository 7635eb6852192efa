import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { roster, type ServiceName } from "../../apps/roster.ts";
import { createPostgresDatabase } from "../../lib/db/index.ts";
import { testSecurityEnv } from "../../lib/testing/index.ts";
import { freePort } from "../engines/exec.ts";
import { type BenchKafka, kafkaBrokerPid } from "../engines/kafka.ts";
import type { BenchPostgres } from "../engines/postgres.ts";
import type { BenchRedis } from "../engines/redis.ts";
import { childrenOf, type Role } from "../measure/processes.ts";
import { readEffects } from "./effects.ts";
import { type Env, healthy, type Spawned, spawnLogged, stopGracefully } from "./spawn.ts";
import type { EngineCounters, FlowUnderTest } from "./types.ts";

export type ClusterOptions = { postgres: BenchPostgres; redis: BenchRedis; kafka: BenchKafka; database: string; dispatchers: number; logLevel: string };

/**
 * One process per service (`bun apps/start.ts <service>`), the relay and the dispatchers, as in
 * production (docs/operations.md), on Kafka, PostgreSQL and Redis: a fresh database of the run and
 * the run's own Kafka namespace.
 */
export async function startCluster(workDir: string, options: ClusterOptions): Promise<FlowUnderTest> {
  const { postgres: pg, redis, kafka, database } = options;
  const dataDir = join(workDir, "cluster");
  mkdirSync(dataDir, { recursive: true });
  const services: ServiceName[] = roster.map((s) => s.name);
  const ports = Object.fromEntries(services.map((s) => [s, freePort()])) as Record<ServiceName, number>;
  const internalPorts = Object.fromEntries(services.map((s) => [s, freePort()])) as Record<ServiceName, number>;
  const databaseUrl = pg.urlOf(database);
  const env: Env = {
    ...process.env,
    UPSTASH_REDIS_REST_URL: undefined,
    UPSTASH_REDIS_REST_TOKEN: undefined,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    KAFKA_BROKERS: kafka.brokers,
    ORDERFLOW_NAMESPACE: kafka.namespace,
    DATA_DIR: dataDir,
    HOST: "127.0.0.1",
    LOG_LEVEL: options.logLevel,
    ORDERFLOW_RATE_LIMIT: "0",
    ...testSecurityEnv,
    ...Object.fromEntries(services.map((s) => [`${s.toUpperCase()}_EVENTS_URL`, `http://127.0.0.1:${internalPorts[s]}`])),
  };
  await pg.createDatabase(database);
  const migrate = spawnLogged(workDir, "migrate", ["bun", "apps/start.ts", "migrate"], env);
  if ((await migrate.process.exited) !== 0) throw new Error(`migrate failed: see ${migrate.log}`);
  const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  if (pg.statementsTracked) await admin`create extension if not exists pg_stat_statements`;

  const children: Spawned[] = [];
  const start = async (name: string, command: string, port: number, extra: Env = {}) => {
    const child = spawnLogged(workDir, name, ["bun", "apps/start.ts", command], { ...env, ...extra, PORT: String(port) });
    children.push(child);
    await healthy(child, port);
  };
  try {
    await Promise.all(services.map((s) => start(s, s, ports[s], { INTERNAL_PORT: String(internalPorts[s]) })));
    await start("relay", "relay", freePort());
    await Promise.all(Array.from({ length: options.dispatchers }, (_, i) => start(`dispatcher-${i + 1}`, "dispatcher", freePort())));
  } catch (error) {
    await Promise.all(children.map((c) => stopGracefully(c, 5_000)));
    await admin.end({ timeout: 5 });
    throw error;
  }

  const brokerPid = kafkaBrokerPid(kafka.brokers);
  const roles: Role[] = [
    ...children.map((c) => ({ name: c.name, pids: () => [c.pid] })),
    ...(pg.postmasterPid ? [{ name: "PostgreSQL (the run's server: backends, WAL writer, checkpointer)", pids: () => [pg.postmasterPid!, ...childrenOf(pg.postmasterPid!)] }] : []),
    ...(redis.pid ? [{ name: "Redis (the run's server)", pids: () => [redis.pid!] }] : []),
    ...(brokerPid ? [{ name: "Kafka broker (shared with other users)", pids: () => [brokerPid], shared: true }] : []),
  ];

  async function counters(): Promise<EngineCounters> {
    const statements = pg.statementsTracked
      ? (await admin`select query, calls::float8 as calls, total_exec_time as total_ms from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())`).map((r) => ({ query: r.query as string, calls: Number(r.calls), totalMs: Number(r.total_ms) }))
      : [];
    const [db] = await admin`select xact_commit::float8, xact_rollback::float8, tup_inserted::float8, tup_updated::float8, tup_deleted::float8, tup_returned::float8, tup_fetched::float8, blks_read::float8, blks_hit::float8 from pg_stat_database where datname = current_database()`;
    return { statements, database: Object.fromEntries(Object.entries(db!).map(([k, v]) => [k, Number(v)])), redis: await redis.commandCalls(), kafka: await kafka.flowTotals() };
  }

  return {
    name: "real",
    engines: `PostgreSQL ${pg.settings.server_version ?? ""} (fsync ${pg.settings.fsync}, synchronous_commit ${pg.settings.synchronous_commit}), Kafka (acks=all, idempotent producer), Redis; one process per service`,
    url: (service) => `http://127.0.0.1:${ports[service]}`,
    notificationsFile: join(dataDir, "notifications.jsonl"),
    roles,
    settings: {
      processes: `${services.length} services, 1 relay, ${options.dispatchers} dispatcher(s)`,
      database: database,
      "Kafka namespace": kafka.namespace,
      "log level": options.logLevel,
    },
    counters,
    async stop() {
      // The dispatchers first, so nothing is pushed to a service that is going away.
      const dispatcher = (c: Spawned) => c.name.startsWith("dispatcher");
      await Promise.all(children.filter(dispatcher).map((c) => stopGracefully(c)));
      await Promise.all(children.filter((c) => !dispatcher(c)).map((c) => stopGracefully(c)));
    },
    effects: async () => {
      const db = await createPostgresDatabase(databaseUrl, { max: 1 });
      try {
        return await readEffects(db);
      } finally {
        await db.close();
      }
    },
    async dispose() {
      await admin.end({ timeout: 5 });
      await pg.dropDatabase(database).catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { roster, type ServiceName } from "../../apps/roster.ts";
import { createPostgresDatabase } from "../../lib/db/index.ts";
import { freePort, testSecurityEnv } from "../../lib/testing/index.ts";
import { type BenchKafka, kafkaBrokerPid } from "../engines/kafka.ts";
import type { BenchPostgres } from "../engines/postgres.ts";
import type { BenchRedis } from "../engines/redis.ts";
import { childrenOf, type Role } from "../measure/processes.ts";
import { profileEnv, profileIntervalUs } from "../measure/profiles.ts";
import { readEffects } from "./effects.ts";
import { type Env, healthy, type Spawned, spawnLogged, stopGracefully } from "./spawn.ts";
import type { AloneOrderApi, EngineCounters, FlowUnderTest } from "./types.ts";

/**
 * How the flow's processes are cut: `services`, one process per service (`bun run start <service>`),
 * the relay and the dispatchers (mode 3 of the README); `workers`, several whole flows
 * (`bun run dev` on the real engines, mode 2), one per core, sharing the partitions through their
 * consumer groups and delivering pushes in-process.
 */
export type Layout = { kind: "services"; dispatchers: number } | { kind: "workers"; workers: number };
export type ClusterOptions = { postgres: BenchPostgres; redis: BenchRedis; kafka: BenchKafka; database: string; layout: Layout; logLevel: string; profile: boolean };

/**
 * The flow on Kafka, PostgreSQL and Redis, cut into processes as `layout` says (docs/operations.md):
 * a fresh database of the run and the run's own Kafka namespace.
 */
export async function startCluster(workDir: string, options: ClusterOptions): Promise<FlowUnderTest> {
  const { postgres: pg, redis, kafka, database } = options;
  const dataDir = join(workDir, "cluster");
  const profileDir = options.profile ? join(workDir, "profiles-real") : undefined;
  mkdirSync(dataDir, { recursive: true });
  const services: ServiceName[] = roster.map((s) => s.name);
  const ports = Object.fromEntries(services.map((s) => [s, freePort()])) as Record<ServiceName, number>;
  const internalPorts = Object.fromEntries(services.map((s) => [s, freePort()])) as Record<ServiceName, number>;
  const databaseUrl = pg.urlOf(database);
  const flowDatabaseUrl = pg.socketDir ? `${databaseUrl}?host=${encodeURIComponent(pg.socketDir)}` : databaseUrl;
  const env: Env = {
    ...process.env,
    UPSTASH_REDIS_REST_URL: undefined,
    UPSTASH_REDIS_REST_TOKEN: undefined,
    DATABASE_URL: flowDatabaseUrl,
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
  const launch = async (name: string, argv: string[], port: number, extra: Env = {}) => {
    const child = spawnLogged(workDir, name, ["bun", ...argv], { ...env, ...extra, ...(profileDir ? profileEnv(profileDir, name) : {}), PORT: String(port) });
    try {
      await healthy(child, port);
    } catch (error) {
      await stopGracefully(child, 5_000);
      throw error;
    }
    return child;
  };
  const start = async (name: string, argv: string[], port: number, extra: Env = {}) => void children.push(await launch(name, argv, port, extra));
  const { layout } = options;
  const workerPorts = layout.kind === "workers" ? Array.from({ length: layout.workers }, () => freePort()) : [];
  const workerDir = (i: number) => join(dataDir, `worker-${i + 1}`);
  try {
    if (layout.kind === "services") {
      await Promise.all(services.map((s) => start(s, ["apps/start.ts", s], ports[s], { INTERNAL_PORT: String(internalPorts[s]) })));
      await start("relay", ["apps/start.ts", "relay"], freePort());
      await Promise.all(Array.from({ length: layout.dispatchers }, (_, i) => start(`dispatcher-${i + 1}`, ["apps/start.ts", "dispatcher"], freePort())));
    } else {
      // One after the other: each migrates (under a lock) and creates the topics at start.
      for (const [i, port] of workerPorts.entries()) await start(`worker-${i + 1}`, ["apps/dev/index.ts"], port, { INTERNAL_PORT: String(freePort()), DATA_DIR: workerDir(i) });
    }
  } catch (error) {
    await Promise.all(children.map((c) => stopGracefully(c, 5_000)));
    await admin.end({ timeout: 5 });
    throw error;
  }

  let next = 0;
  /** The workers layout's order service of its own, while the order API is measured alone. */
  let alone: Spawned | undefined;
  const brokerPid = kafkaBrokerPid(kafka.brokers);
  const roles: Role[] = [
    ...children.map((c) => ({ name: c.name, pids: () => [c.pid] })),
    ...(layout.kind === "workers" ? [{ name: "order (alone: its own process, the workers frozen)", pids: () => (alone ? [alone.pid] : []) }] : []),
    ...(pg.postmasterPid ? [{ name: "PostgreSQL (the run's server: backends, WAL writer, checkpointer)", pids: () => [pg.postmasterPid!, ...childrenOf(pg.postmasterPid!)], grows: "the data it keeps" }] : []),
    ...(redis.pid ? [{ name: "Redis (the run's server)", pids: () => [redis.pid!], grows: "each delivery's done key, kept a day" }] : []),
    ...(brokerPid ? [{ name: "Kafka broker (shared with other users)", pids: () => [brokerPid], shared: true, grows: "its log" }] : []),
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
    engines: `PostgreSQL ${pg.settings.server_version ?? ""} (fsync ${pg.settings.fsync}, synchronous_commit ${pg.settings.synchronous_commit}), Kafka (acks=all, idempotent producer), Redis; ${layout.kind === "services" ? "one process per service" : `${layout.workers} workers (the whole flow in each)`}`,
    // Workers: each request to the next worker, as a load balancer in front of them would.
    url: (service) => `http://127.0.0.1:${layout.kind === "services" ? ports[service] : workerPorts[next++ % workerPorts.length]}`,
    notificationsFiles: layout.kind === "services" ? [join(dataDir, "notifications.jsonl")] : workerPorts.map((_, i) => join(workerDir(i), "notifications.jsonl")),
    roles,
    profileDir,
    settings: {
      processes: layout.kind === "services" ? `${services.length} services, 1 relay, ${layout.dispatchers} dispatcher(s)` : `${layout.workers} × bun run dev (every service, the relay and a dispatcher in each)`,
      database: database,
      "Kafka namespace": kafka.namespace,
      "log level": options.logLevel,
      "CPU profiles": profileDir ? `Bun's sampling profiler, one sample per ${profileIntervalUs / 1000} ms` : "off (--no-profile or --soak)",
    },
    counters,
    async orderApiAlone(): Promise<AloneOrderApi> {
      const freezing = (frozen: Spawned[]) => async () => {
        for (const child of frozen) process.kill(child.pid, "SIGSTOP");
        return async () => {
          for (const child of frozen) process.kill(child.pid, "SIGCONT");
        };
      };
      if (layout.kind === "services") {
        return { url: `http://127.0.0.1:${ports.order}`, fresh: false, freeze: freezing(children.filter((c) => c.name !== "order")), close: async () => {} };
      }
      const port = freePort();
      alone = await launch("order-alone", ["apps/start.ts", "order"], port, { INTERNAL_PORT: String(freePort()) });
      const child = alone;
      return { url: `http://127.0.0.1:${port}`, fresh: true, freeze: freezing(children), close: () => stopGracefully(child) };
    },
    async stop() {
      // The dispatchers first, so nothing is pushed to a service that is going away (a worker stops its own in order).
      const dispatcher = (c: Spawned) => c.name.startsWith("dispatcher");
      await Promise.all(children.filter(dispatcher).map((c) => stopGracefully(c)));
      await Promise.all(children.filter((c) => !dispatcher(c)).map((c) => stopGracefully(c)));
      if (alone) await stopGracefully(alone);
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

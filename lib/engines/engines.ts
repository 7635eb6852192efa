import { join } from "node:path";
import { type Broker, createEmbeddedBroker, loadKafka, withNamespace } from "../broker/index.ts";
import { AppError } from "../errors/index.ts";
import { createPgliteDatabase, createPostgresDatabase, type Database, isPostgresDriver, type PostgresDriver, postgresDrivers } from "../db/index.ts";
import { createMemoryIdempotencyStore, createRedisIdempotencyStore, createUpstashIdempotencyStore, type IdempotencyStore, withFallback } from "../idempotency/index.ts";
import type { Logger } from "../log/index.ts";

/** Where each port points: embedded defaults unless an engine is configured. */
export type EngineConfig = {
  dataDir: string;
  /** Prefix of every topic and consumer group (ORDERFLOW_NAMESPACE): environments sharing a cluster. */
  namespace?: string;
  databaseUrl?: string;
  /** Connections each process may open to PostgreSQL (DATABASE_POOL_SIZE); unset: `defaultPoolSize`. */
  databasePoolSize?: number;
  /** The PostgreSQL client (DATABASE_DRIVER); unset: Bun's own (lib/db/postgres.ts). */
  databaseDriver?: PostgresDriver;
  kafkaBrokers?: string[];
  /** Replicas of each topic created at start-up; unset: the cluster's default.replication.factor. */
  kafkaReplicationFactor?: number;
  /** min.insync.replicas of the topics created at start-up; unset: min(2, replication factor). */
  kafkaMinInsyncReplicas?: number;
  /** retention.ms of every topic but dead-letters (kept until redriven); unset: 7 days. */
  kafkaRetentionMs?: number;
  /**
   * This process's identity in its consumer groups (KAFKA_GROUP_INSTANCE_ID, Kafka's
   * group.instance.id): a process started again under the same one takes its partitions back at
   * once instead of after the session timeout. Unique per process; unset: dynamic membership.
   */
  kafkaGroupInstanceId?: string;
  redisUrl?: string;
  upstash?: { url: string; token: string };
};

/**
 * An API request need not wait for the pushes in flight (DISPATCH_CONCURRENCY per service, and a
 * payment or notification push applies up to 8 orders at once) to free a connection, and seven
 * processes stay well below PostgreSQL's default max_connections (100).
 */
const defaultPoolSize = 10;

export function engineConfigFromEnv(env: Record<string, string | undefined>): EngineConfig {
  return {
    dataDir: env.DATA_DIR ?? ".data",
    namespace: env.ORDERFLOW_NAMESPACE || undefined,
    databaseUrl: env.DATABASE_URL || undefined,
    databasePoolSize: env.DATABASE_POOL_SIZE ? positiveInteger("DATABASE_POOL_SIZE", env.DATABASE_POOL_SIZE) : undefined,
    databaseDriver: env.DATABASE_DRIVER ? postgresDriver(env.DATABASE_DRIVER) : undefined,
    kafkaBrokers: env.KAFKA_BROKERS ? env.KAFKA_BROKERS.split(",").map((s) => s.trim()).filter(Boolean) : undefined,
    kafkaReplicationFactor: env.KAFKA_REPLICATION_FACTOR ? positiveInteger("KAFKA_REPLICATION_FACTOR", env.KAFKA_REPLICATION_FACTOR) : undefined,
    kafkaMinInsyncReplicas: env.KAFKA_MIN_INSYNC_REPLICAS ? positiveInteger("KAFKA_MIN_INSYNC_REPLICAS", env.KAFKA_MIN_INSYNC_REPLICAS) : undefined,
    kafkaRetentionMs: env.KAFKA_RETENTION_MS ? positiveInteger("KAFKA_RETENTION_MS", env.KAFKA_RETENTION_MS) : undefined,
    kafkaGroupInstanceId: env.KAFKA_GROUP_INSTANCE_ID ? groupInstanceId(env.KAFKA_GROUP_INSTANCE_ID) : undefined,
    redisUrl: env.REDIS_URL || undefined,
    upstash:
      env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN
        ? { url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN }
        : undefined,
  };
}

export async function openDatabase(config: EngineConfig): Promise<Database> {
  if (!config.databaseUrl) return createPgliteDatabase(join(config.dataDir, "pglite"));
  return createPostgresDatabase(config.databaseUrl, { max: config.databasePoolSize ?? defaultPoolSize, driver: config.databaseDriver });
}

/** `clientId` names the process in the broker's logs and metrics; `log` gets what no caller waits for. */
export async function openBroker(config: EngineConfig, log: Logger, clientId = "orderflow"): Promise<Broker> {
  const brokerLog = log.child({ component: "broker" });
  if (config.kafkaBrokers) {
    const { createKafkaBroker } = await loadKafka();
    const kafka = createKafkaBroker({
      brokers: config.kafkaBrokers,
      clientId,
      replicationFactor: config.kafkaReplicationFactor,
      minInsyncReplicas: config.kafkaMinInsyncReplicas,
      retentionMs: config.kafkaRetentionMs,
      groupInstanceId: config.kafkaGroupInstanceId,
      log: brokerLog,
    });
    return withNamespace(kafka, config.namespace ?? "");
  }
  return withNamespace(createEmbeddedBroker({ dir: join(config.dataDir, "broker"), log: brokerLog }), config.namespace ?? "");
}

/** `log` hears when the fast path goes away and comes back. */
export function openIdempotencyStore(config: EngineConfig, log: Logger): IdempotencyStore {
  const report = (message: string) => log.warn({ component: "idempotency" }, message);
  if (config.redisUrl) return withFallback(createRedisIdempotencyStore(config.redisUrl), report);
  if (config.upstash) return withFallback(createUpstashIdempotencyStore(config.upstash), report);
  return createMemoryIdempotencyStore();
}

export function describeEngines(config: EngineConfig): string {
  return [
    `database: ${config.databaseUrl ? "PostgreSQL" : `PGlite (${join(config.dataDir, "pglite")})`}`,
    `broker: ${config.kafkaBrokers ? `Kafka (${config.kafkaBrokers.join(",")})` : `embedded (${join(config.dataDir, "broker")})`}`,
    `idempotency: ${config.redisUrl ? "Redis" : config.upstash ? "Upstash REST" : "in memory"}`,
  ].join(", ");
}

function postgresDriver(value: string): PostgresDriver {
  if (!isPostgresDriver(value)) throw new AppError("config.invalid", `DATABASE_DRIVER must be one of ${postgresDrivers.join(", ")}, got "${value}"`);
  return value;
}

function groupInstanceId(value: string): string {
  // Kafka's own limits on a group.instance.id: at most 249 characters, no whitespace (the client's pattern).
  if (!/^\S{1,249}$/.test(value)) throw new AppError("config.invalid", `KAFKA_GROUP_INSTANCE_ID must be 1 to 249 characters without whitespace, got "${value}"`);
  return value;
}

function positiveInteger(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new AppError("config.invalid", `${name} must be a positive integer, got "${value}"`);
  return number;
}

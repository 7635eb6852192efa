import postgres from "postgres";
import { roster, type ServiceName } from "../../apps/roster.ts";
import { freePort, testSecurityEnv } from "../../lib/testing/index.ts";
import { runAuditor } from "./audit.ts";
import { createChildren, type Env } from "./children.ts";
import { type FaultProxy, type ProxyHandler, startFaultProxy } from "./fault-proxy.ts";
import { createLagProbe } from "./kafka-lag.ts";
import { createStateProbe } from "./state-probe.ts";

export const services: ServiceName[] = roster.map((s) => s.name);

/** Where the engines are: the shared ones, or a scenario's private instances. */
export type Engines = { postgresUrl: string; kafkaBrokers: string; redisUrl: string };

export type ClusterOptions = {
  engines: Engines;
  /** Extra environment of every process, and of the processes of one name ("inventory", "dispatcher"…). */
  env?: Env;
  envOf?: Record<string, Env>;
  /** A fault proxy in front of these services' internal listeners. */
  proxies?: Partial<Record<ServiceName, ProxyHandler>>;
  dispatchers?: number;
};

/**
 * Dispatcher settings of the suite: retry for minutes (a killed service or a stopped engine is
 * back long before), with short waits, so a run ends soon after the fault does.
 */
export const dispatchDefaults = { DISPATCH_MAX_ATTEMPTS: "600", DISPATCH_RETRY_BASE_MS: "50", DISPATCH_RETRY_MAX_MS: "1000" };

/**
 * Payment's reconciler, scaled down the same way (seconds for minutes; as many attempts as by
 * default): a payment left charging or refunding by a fault is taken up while the run waits.
 */
export const recoveryDefaults = { PAYMENT_RECONCILE_MS: "1000", PAYMENT_STALE_AFTER_MS: "5000", PAYMENT_REFUND_BACKOFF_MS: "1000" };

/**
 * One cluster of the flow for one scenario: a fresh database on the given PostgreSQL, its own
 * Kafka namespace (fresh topics and consumer groups), one process per service, the relay and
 * dispatchers, as in apps/multiprocess.e2e.test.ts.
 */
export async function startCluster(workDir: string, options: ClusterOptions) {
  const run = crypto.randomUUID().replaceAll("-", "").slice(0, 10);
  const database = `orderflow_faults_${run}`;
  const namespace = `faults-${run}`;
  const databaseUrl = Object.assign(new URL(options.engines.postgresUrl), { pathname: `/${database}` }).toString();
  const ports = Object.fromEntries(services.map((s) => [s, freePort()])) as Record<ServiceName, number>;
  const internalPorts = Object.fromEntries(services.map((s) => [s, freePort()])) as Record<ServiceName, number>;
  const proxies: Partial<Record<ServiceName, FaultProxy>> = {};
  for (const [service, handler] of Object.entries(options.proxies ?? {}) as Array<[ServiceName, ProxyHandler]>) {
    proxies[service] = startFaultProxy(`http://127.0.0.1:${internalPorts[service]}`, handler);
  }
  const env: Env = {
    ...process.env,
    UPSTASH_REDIS_REST_URL: undefined,
    UPSTASH_REDIS_REST_TOKEN: undefined,
    DATABASE_URL: databaseUrl,
    REDIS_URL: options.engines.redisUrl,
    KAFKA_BROKERS: options.engines.kafkaBrokers,
    ORDERFLOW_NAMESPACE: namespace,
    DATA_DIR: workDir,
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    ORDERFLOW_RATE_LIMIT: "0",
    ...testSecurityEnv,
    ...dispatchDefaults,
    ...recoveryDefaults,
    ...Object.fromEntries(services.map((s) => [`${s.toUpperCase()}_EVENTS_URL`, proxies[s]?.url ?? `http://127.0.0.1:${internalPorts[s]}`])),
    ...options.env,
  };
  const children = createChildren(workDir, () => env);
  const admin = postgres(options.engines.postgresUrl, { max: 1, onnotice: () => {} });
  const dropDatabase = async () => {
    await admin.unsafe(`drop database if exists ${database} with (force)`).catch(() => {});
    await admin.end({ timeout: 5 });
  };
  try {
    await admin.unsafe(`create database ${database}`);
    const migrate = await children.run(["migrate"]);
    if (migrate.code !== 0) throw new Error(`migrate failed:\n${migrate.output}`);
    const envOf = (name: string) => ({ ...options.envOf?.[name] });
    await Promise.all(services.map((s) => children.start(s, ports[s], { ...envOf(s), INTERNAL_PORT: String(internalPorts[s]) })));
    await children.start("relay", freePort(), envOf("relay"));
    // Each dispatcher with a fixed identity in its consumer groups, as docs/operations.md advises:
    // one killed and started again (with the same environment) takes its partitions back at once.
    await Promise.all(
      Array.from({ length: options.dispatchers ?? 2 }, (_, i) =>
        children.start("dispatcher", freePort(), { KAFKA_GROUP_INSTANCE_ID: `${namespace}-dispatcher-${i + 1}`, ...envOf("dispatcher") }),
      ),
    );
  } catch (error) {
    // Half a cluster is no use to anyone: stop what started, and say why.
    await children.stopAll();
    for (const proxy of Object.values(proxies)) proxy.stop();
    await dropDatabase();
    throw error;
  }

  const state = createStateProbe(databaseUrl);
  const lag = createLagProbe(options.engines.kafkaBrokers, namespace);
  const cluster = {
    workDir,
    env,
    children,
    proxies,
    state,
    lag,
    url: (service: ServiceName) => `http://127.0.0.1:${ports[service]}`,
    /** Stops every process, the proxies and the probes, and drops the database. */
    async stop(): Promise<void> {
      await children.stopAll();
      for (const proxy of Object.values(proxies)) proxy.stop();
      await Promise.all([state.close(), lag.close()]);
      await dropDatabase();
    },
    audit: () => runAuditor(children),
    outcomes: () => state.counts(),
  };
  return cluster;
}

export type Cluster = Awaited<ReturnType<typeof startCluster>>;

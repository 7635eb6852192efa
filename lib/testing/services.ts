/**
 * Which real engines the tests may use. `bun test` on a laptop runs the embedded adapters and, for
 * each real engine whose variable is set, the same suites against it. With
 * `ORDERFLOW_REQUIRE_SERVICES=1` (set by `.ci/run`) a missing engine FAILS the run instead of
 * skipping: CI must never go green on a silently skipped suite.
 */
export type RealService = "kafka" | "postgres" | "redis";

const variableOf: Record<RealService, string> = {
  kafka: "KAFKA_BROKERS",
  postgres: "DATABASE_URL",
  redis: "REDIS_URL",
};

export function servicesRequired(): boolean {
  return process.env.ORDERFLOW_REQUIRE_SERVICES === "1";
}

/** The configured address of a real engine, or undefined when tests should skip it. */
export function tryGetServiceUrl(service: RealService): string | undefined {
  const value = process.env[variableOf[service]];
  if (value) return value;
  if (servicesRequired()) {
    throw new Error(
      `${variableOf[service]} is not set but ORDERFLOW_REQUIRE_SERVICES=1: the ${service} suites must run`,
    );
  }
  return undefined;
}

import { expect, test } from "bun:test";
import { engineConfigFromEnv } from "./engines.ts";

test("DATABASE_DRIVER picks the PostgreSQL client; unset leaves the default; anything else is refused by name", () => {
  expect(engineConfigFromEnv({ DATABASE_DRIVER: "postgres.js" }).databaseDriver).toBe("postgres.js");
  expect(engineConfigFromEnv({ DATABASE_DRIVER: "bun" }).databaseDriver).toBe("bun");
  expect(engineConfigFromEnv({}).databaseDriver).toBeUndefined();
  expect(() => engineConfigFromEnv({ DATABASE_DRIVER: "pg" })).toThrow(/DATABASE_DRIVER must be one of bun, postgres\.js, got "pg"/);
});

test("numeric settings must be positive integers, named when they are not", () => {
  expect(engineConfigFromEnv({ DATABASE_POOL_SIZE: "4" }).databasePoolSize).toBe(4);
  for (const bad of ["0", "-1", "2.5", "ten"]) expect(() => engineConfigFromEnv({ DATABASE_POOL_SIZE: bad })).toThrow(/DATABASE_POOL_SIZE must be a positive integer/);
});

test("KAFKA_GROUP_INSTANCE_ID is the process's static identity in its consumer groups; whitespace or over 249 characters is refused", () => {
  expect(engineConfigFromEnv({ KAFKA_GROUP_INSTANCE_ID: "host-a-worker-1" }).kafkaGroupInstanceId).toBe("host-a-worker-1");
  expect(engineConfigFromEnv({}).kafkaGroupInstanceId).toBeUndefined();
  expect(() => engineConfigFromEnv({ KAFKA_GROUP_INSTANCE_ID: "worker 1" })).toThrow(/KAFKA_GROUP_INSTANCE_ID must be 1 to 249 characters without whitespace/);
  expect(() => engineConfigFromEnv({ KAFKA_GROUP_INSTANCE_ID: "w".repeat(250) })).toThrow(/KAFKA_GROUP_INSTANCE_ID/);
});

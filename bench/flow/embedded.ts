import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createPgliteDatabase } from "../../lib/db/index.ts";
import { freePort, testSecurityEnv } from "../../lib/testing/index.ts";
import { profileEnv, profileIntervalUs } from "../measure/profiles.ts";
import { readEffects } from "./effects.ts";
import { type Env, healthy, spawnLogged, stopGracefully } from "./spawn.ts";
import type { FlowUnderTest } from "./types.ts";

/**
 * `bun run dev` with nothing configured, in a process of its own: PGlite on disk, the embedded
 * broker (fsynced per batch), the in-memory idempotency store, every service, the relay and the
 * dispatcher in one process. Its DATA_DIR is a fresh folder of the run.
 */
export async function startEmbedded(workDir: string, options: { logLevel: string; profile: boolean }): Promise<FlowUnderTest> {
  const dataDir = join(workDir, "embedded");
  mkdirSync(dataDir, { recursive: true });
  const port = freePort();
  const profileDir = options.profile ? join(workDir, "profiles-embedded") : undefined;
  const env: Env = {
    ...process.env,
    ...testSecurityEnv,
    PORT: String(port),
    INTERNAL_PORT: String(freePort()),
    DATA_DIR: dataDir,
    DATABASE_URL: "",
    KAFKA_BROKERS: "",
    REDIS_URL: "",
    UPSTASH_REDIS_REST_URL: "",
    ORDERFLOW_RATE_LIMIT: "0",
    LOG_LEVEL: options.logLevel,
    ...(profileDir ? profileEnv(profileDir, "embedded-dev") : {}),
  };
  const child = spawnLogged(workDir, "embedded-dev", ["bun", "apps/dev/index.ts"], env);
  await healthy(child, port);
  const base = `http://127.0.0.1:${port}`;
  return {
    name: "embedded",
    engines: "PGlite on disk, embedded log (fsync per batch), in-memory idempotency store; one process",
    url: () => base,
    notificationsFiles: [join(dataDir, "notifications.jsonl")],
    roles: [{ name: "bun run dev (everything)", pids: () => [child.pid] }],
    profileDir,
    settings: { processes: "1 (`bun run dev`)", "PGlite data": join(dataDir, "pglite"), "log level": options.logLevel, "CPU profiles": profileDir ? `Bun's sampling profiler, one sample per ${profileIntervalUs / 1000} ms` : "off (--no-profile or --soak)" },
    stop: () => stopGracefully(child),
    // PGlite has one owner: read once the flow has stopped and let go of its folder.
    async effects() {
      const database = await createPgliteDatabase(join(dataDir, "pglite"));
      try {
        return await readEffects(database);
      } finally {
        await database.close();
      }
    },
    dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

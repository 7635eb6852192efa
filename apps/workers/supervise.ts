import { hostname } from "node:os";
import { join } from "node:path";
import type { Logger } from "../../lib/log/index.ts";
import { devSecurityEnv } from "../../lib/security/index.ts";

type Env = Record<string, string | undefined>;

export type WorkersOptions = {
  /** Whole flows to run (the machine's cores, normally). */
  count: number;
  /** The environment every worker starts from (engines, secrets, ports). */
  env: Env;
  log: Logger;
  /** The command of one worker: `bun run dev`'s entry point. */
  argv: string[];
  /** How long a worker may take to stop after SIGTERM before it is killed. */
  graceMs?: number;
};

/** A worker that dies is started again after this, doubling while it keeps dying young. */
const restartDelayMs = { first: 500, max: 30_000 };
/** A worker that lived this long was healthy: its next death starts the delays from the beginning. */
const healthyAfterMs = 60_000;

/**
 * `bun run start workers`: the whole flow once per core on Kafka, PostgreSQL and Redis, from one
 * command. Each worker is `bun run dev` (every service, the relay and a dispatcher) in a process of
 * its own, under DATA_DIR/worker-<n>. They share the public and the internal port (SO_REUSEPORT:
 * the kernel spreads the connections), the database, the topics and the consumer groups, so the
 * partitions are shared between their dispatchers, and each delivers to its own services
 * in-process. On a small machine this settles the most orders (docs/benchmarks.md); one process
 * per service is what scales out across machines.
 *
 * The first worker starts alone (it migrates and creates the topics), the others once it answers.
 * Every worker has the same secrets: taken from the environment, or made once under DATA_DIR as
 * `bun run dev` does. A worker that dies is started again (its orders are safe in the database and
 * the log) under the same KAFKA_GROUP_INSTANCE_ID, so it takes its partitions back at once; SIGTERM
 * or SIGINT stops every worker gracefully, and then this process.
 */
export async function superviseWorkers(options: WorkersOptions): Promise<void> {
  const { count, log, argv, graceMs = 30_000 } = options;
  const dataDir = options.env.DATA_DIR ?? ".data";
  const port = Number(options.env.PORT || 3000);
  const env: Env = {
    ...options.env,
    ...devSecurityEnv(dataDir, options.env),
    PORT: String(port),
    INTERNAL_PORT: options.env.INTERNAL_PORT || String(port + 1),
    ORDERFLOW_REUSE_PORT: "1",
  };
  // Worker n keeps its identity in the consumer groups across restarts: started again, it takes
  // its partitions back at once rather than after the dead one's session timeout.
  const instanceBase = options.env.KAFKA_GROUP_INSTANCE_ID || `${hostname()}-${port}`;
  const running = new Map<number, ReturnType<typeof Bun.spawn>>();
  let stopping = false;
  /** Until the first worker answers, a death is a failed start-up (a wrong setting), not a crash. */
  let started = false;

  function start(worker: number, delayMs = restartDelayMs.first): ReturnType<typeof Bun.spawn> {
    const startedAt = Date.now();
    const child = Bun.spawn(argv, {
      env: { ...env, DATA_DIR: join(dataDir, `worker-${worker}`), ORDERFLOW_WORKER: `${worker}/${count}`, KAFKA_GROUP_INSTANCE_ID: `${instanceBase}-worker-${worker}` },
      stdio: ["ignore", "inherit", "inherit"],
    });
    running.set(worker, child);
    log.info({ worker, workerPid: child.pid }, "worker started");
    void child.exited.then(async (code) => {
      if (stopping || !started) return;
      const next = Date.now() - startedAt > healthyAfterMs ? restartDelayMs.first : Math.min(delayMs * 2, restartDelayMs.max);
      log.error({ worker, workerPid: child.pid, code, signal: child.signalCode, restartInMs: delayMs }, "worker exited: starting it again");
      await Bun.sleep(delayMs);
      if (!stopping) start(worker, next);
    });
    return child;
  }

  async function stop(signal: string) {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping the workers");
    const exits = [...running.values()].map(async (child) => {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await child.exited;
      clearTimeout(timer);
    });
    await Promise.all(exits);
    process.exit(0);
  }
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));

  const first = start(1);
  try {
    await untilAnswering(`http://${env.HOST || "127.0.0.1"}:${port}/health`, first);
  } catch (error) {
    stopping = true;
    first.kill("SIGKILL");
    throw error;
  }
  started = true;
  for (let worker = 2; worker <= count; worker++) start(worker);
  log.info({ workers: count, url: `http://${env.HOST || "127.0.0.1"}:${port}` }, "workers running");
}

/** Waits until the only process on the port answers its health check; fails if it exits first. */
async function untilAnswering(url: string, child: ReturnType<typeof Bun.spawn>): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the first worker exited with ${child.exitCode} while starting`);
    if (await fetch(url).then((response) => response.ok, () => false)) return;
    await Bun.sleep(100);
  }
}

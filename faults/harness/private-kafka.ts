import { join } from "node:path";
import { repoRoot } from "./children.ts";
import { freePort } from "../../lib/testing/index.ts";

/**
 * A Kafka broker of our own (scripts/kafka/start.sh with its own state folder and ports; the jars
 * are cached), for the scenarios that restart it: the shared one on 9092 serves other people.
 */
export type PrivateKafka = {
  brokers: string;
  /** The broker's JVM pid (it changes with every start). */
  pid(): Promise<number>;
  /** stop.sh: SIGTERM, a clean shutdown (SIGKILL after 30 s). */
  stop(): Promise<void>;
  /** `kill -9` of the JVM: an unclean stop, log recovery on the next start. */
  kill(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
};

export async function startPrivateKafka(workDir: string): Promise<PrivateKafka> {
  const state = join(workDir, "kafka");
  const port = freePort();
  const env = { ...process.env, KAFKA_STATE_DIR: state, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(freePort()) };
  const script = async (name: string, ...args: string[]) => {
    const proc = Bun.spawn(["bash", join(repoRoot, "scripts/kafka", name), ...args], { env, stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    if (code !== 0) throw new Error(`scripts/kafka/${name} exited with ${code}: ${err}${out}`);
  };
  const pid = async () => Number((await Bun.file(join(state, "kafka.pid")).text()).trim());
  await script("start.sh");
  return {
    brokers: `127.0.0.1:${port}`,
    pid,
    stop: () => script("stop.sh"),
    kill: async () => {
      const victim = await pid();
      process.kill(victim, 9);
      await script("stop.sh"); // finds no live broker of ours; clears the pid file
    },
    start: () => script("start.sh"),
    destroy: () => script("stop.sh", "--purge"),
  };
}

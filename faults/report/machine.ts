import { cpus, release, totalmem } from "node:os";
import postgres from "postgres";
import type { Engines } from "../harness/cluster.ts";

/** What the figures were measured on: the machine and the engines' versions. */
export async function describeMachine(engines: Engines): Promise<string[]> {
  const cpu = cpus();
  const sql = postgres(engines.postgresUrl, { max: 1, onnotice: () => {} });
  const pg = await sql`show server_version`.then((rows) => String(rows[0]?.server_version), () => "unknown").finally(() => sql.end());
  const redis = await textOf(["redis-server", "--version"]);
  return [
    `${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}`,
    `Bun ${Bun.version}; PostgreSQL ${pg}; ${redis.split(" ").slice(0, 3).join(" ") || "Redis"}; Apache Kafka ${process.env.KAFKA_VERSION ?? "4.2.2"} (scripts/kafka/start.sh)`,
  ];
}

async function textOf(command: string[]): Promise<string> {
  try {
    const proc = Bun.spawn(command, { stdout: "pipe", stderr: "ignore" });
    const out = await new Response(proc.stdout).text();
    await proc.exited;
    return out.trim();
  } catch {
    return "";
  }
}

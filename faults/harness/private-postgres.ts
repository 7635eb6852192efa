import { chmodSync, chownSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Glob } from "bun";
import { portOpen } from "./ports.ts";
import { freePort, waitFor } from "../../lib/testing/index.ts";

/**
 * A PostgreSQL server of our own (initdb + pg_ctl on a free port in a temporary folder), for the
 * scenarios that stop it: the shared one on 5432 serves other people. PostgreSQL refuses to run as
 * root, so as root the folder is given to the `postgres` user and the tools run as that user.
 */
export type PrivatePostgres = {
  url: string;
  port: number;
  /** The postmaster's pid (it changes with every start). */
  pid(): Promise<number>;
  /** Crash-like stop (`pg_ctl stop -m immediate`: no checkpoint, recovery on the next start). */
  crash(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
};

function binDir(): string {
  const found = [...new Glob("/usr/lib/postgresql/*/bin/initdb").scanSync({ absolute: true })].sort();
  if (found.length === 0) throw new Error("no /usr/lib/postgresql/*/bin/initdb: install the PostgreSQL server package");
  return found.at(-1)!.replace(/\/initdb$/, "");
}

export async function startPrivatePostgres(workDir: string): Promise<PrivatePostgres> {
  const bin = binDir();
  const dir = join(workDir, "postgres");
  const data = join(dir, "data");
  mkdirSync(dir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const id = await exec(["id", "-u", "postgres"]);
    const gid = await exec(["id", "-g", "postgres"]);
    chownSync(dir, Number(id.trim()), Number(gid.trim()));
    // The temp folder above is root's: the postgres user only needs to pass through it.
    chmodSync(workDir, 0o755);
  }
  const as = (command: string[]) => (asRoot ? ["runuser", "-u", "postgres", "--", ...command] : command);
  const port = freePort();
  await exec(as([`${bin}/initdb`, "-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"]));
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c shared_buffers=64MB`;
  const pgCtl = (...args: string[]) => exec(as([`${bin}/pg_ctl`, "-D", data, "-l", join(dir, "server.log"), ...args]));

  const start = async () => {
    await pgCtl("start", "-w", "-t", "60", "-o", options);
    await waitFor(() => portOpen(port), { timeoutMs: 60_000, what: `private PostgreSQL on :${port}` });
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    pid: async () => Number((await Bun.file(join(data, "postmaster.pid")).text()).split("\n")[0]),
    crash: async () => void (await pgCtl("stop", "-m", "immediate", "-w")),
    start,
    destroy: async () => void (await pgCtl("stop", "-m", "immediate", "-w").catch(() => "")),
  };
}

/** Runs a command to its end; throws with its output when it fails. */
export async function exec(command: string[]): Promise<string> {
  const proc = Bun.spawn(command, { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`${command.join(" ")} exited with ${code}: ${err || out}`);
  return out;
}

/** Runs a command to its end; throws with its output when it fails. */
export async function exec(command: string[], options: { env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<string> {
  const proc = Bun.spawn(command, { stdout: "pipe", stderr: "pipe", env: options.env ?? process.env, cwd: options.cwd });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`${command.join(" ")} exited with ${code}: ${(err || out).slice(-2000)}`);
  return out;
}

/** Waits until `ready()` holds, polling; throws naming `what` after `timeoutMs`. */
export async function until(ready: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await Promise.resolve(ready()).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(intervalMs);
  }
}

/**
 * One status line on stderr: rewritten in place on a terminal, one line every few seconds
 * otherwise (a CI log stays short). No dependency: a line and a clock are all it needs.
 */
export function createProgress(total: number, stream = process.stderr) {
  const tty = Boolean(stream.isTTY);
  const startedAt = Date.now();
  let done = 0;
  let scenario = "";
  let lastPrinted = 0;
  let lastMessage = "";

  function line(message: string): string {
    const width = 20;
    const filled = Math.round((done / Math.max(1, total)) * width);
    const elapsed = Math.round((Date.now() - startedAt) / 1000);
    return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} ${elapsed}s ${scenario}: ${message}`;
  }

  return {
    scenario(name: string) {
      scenario = name;
      this.update("starting");
    },
    update(message: string) {
      if (tty) {
        stream.write(`\r\x1b[2K${line(message).slice(0, (stream.columns ?? 120) - 1)}`);
      } else if (message !== lastMessage && (Date.now() - lastPrinted > 5_000 || message === "starting" || message === "auditing")) {
        stream.write(`${line(message)}\n`);
        lastPrinted = Date.now();
      }
      lastMessage = message;
    },
    /** A scenario ended: its summary on a line of its own. */
    finished(summary: string) {
      done++;
      stream.write(`${tty ? "\r\x1b[2K" : ""}${summary}\n`);
    },
  };
}

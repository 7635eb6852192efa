import { progress as clackProgress } from "@clack/prompts";

/**
 * The run's progress: a bar over the planned seconds on a terminal (@clack/prompts), plain lines
 * on a log (CI), one per phase and one every 10 s.
 */
export function createProgress(totalSeconds: number, stream = process.stderr) {
  const tty = Boolean(stream.isTTY) && !process.env.CI;
  const bar = tty ? clackProgress({ max: Math.max(1, Math.round(totalSeconds)), size: 30, style: "heavy", output: stream }) : undefined;
  let shown = 0;
  let banked = 0;
  let phase = { name: "", plannedSeconds: 0, startedAt: Date.now() };
  let lastLine = 0;
  let message = "";
  bar?.start("starting");

  const position = () => banked + Math.min(phase.plannedSeconds, (Date.now() - phase.startedAt) / 1000);
  const timer = setInterval(() => render(), 500);

  function render() {
    const text = `${phase.name}${message ? `: ${message}` : ""}`;
    if (bar) {
      const now = Math.min(totalSeconds, Math.floor(position()));
      bar.advance(Math.max(0, now - shown), text);
      shown = Math.max(shown, now);
    } else if (Date.now() - lastLine > 10_000) {
      stream.write(`  … ${text}\n`);
      lastLine = Date.now();
    }
  }

  return {
    /** A phase begins; `plannedSeconds` of the bar belong to it. */
    phase(name: string, plannedSeconds = 0) {
      banked += phase.plannedSeconds;
      phase = { name, plannedSeconds, startedAt: Date.now() };
      message = "";
      if (!bar) {
        stream.write(`▶ ${name}\n`);
        lastLine = Date.now();
      }
      render();
    },
    tick(text: string) {
      message = text;
    },
    /** A finished phase's figures: a line of the log (a terminal gets them all in the summary at the end). */
    result(line: string) {
      if (!bar) stream.write(`  ${line}\n`);
    },
    stop(text: string) {
      clearInterval(timer);
      bar?.stop(text);
      if (!bar) stream.write(`■ ${text}\n`);
    },
  };
}

export type Progress = ReturnType<typeof createProgress>;

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { heapFlat, renderReport } from "./report.ts";
import { runSession } from "./session.ts";

// `bun run security`: every check with 10,000 generated inputs, then docs/security.md. Exits 1 if
// any input got through, a control failed, or the heap did not stay flat.
const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "10000" },
    seed: { type: "string" },
    only: { type: "string", multiple: true },
    out: { type: "string", default: join(import.meta.dir, "../../docs/security.md") },
  },
});
const runs = Number(values.runs);
const seed = values.seed === undefined ? Date.now() % 1_000_000_000 : Number(values.seed);

const progress = progressLine();
const session = await runSession({
  runs,
  seed,
  only: values.only,
  onCheck: (title, index, count) => progress.start(`[${index + 1}/${count}] ${title}`),
  onInput: (done, total) => progress.update(done, total),
});
progress.end();

const command = ["bun run security", ...(runs === 10_000 ? [] : [`--runs ${runs}`]), `--seed ${seed}`].join(" ");
writeFileSync(values.out, renderReport({ date: new Date(), command, runs, ...session }));
const through = session.checks.reduce((sum, check) => sum + check.through, 0);
for (const check of session.checks) {
  process.stdout.write(`${check.title}: ${check.tried} tried, ${check.through} got through, ${check.serverErrors} 5xx, heap ${check.heapBeforeMiB} → ${check.heapAfterMiB} MiB\n`);
}
process.stdout.write(`wrote ${values.out}: ${through} got through in total\n`);
const failedControls = session.controls.filter((control) => !control.ok).length;
process.exit(through === 0 && failedControls === 0 && session.crashes.length === 0 && session.checks.every(heapFlat) ? 0 : 1);

/** One progress line on stderr: redrawn in place on a terminal, a line every 10% otherwise. */
function progressLine() {
  let label = "";
  let started = 0;
  let lastTenth = -1;
  const tty = process.stderr.isTTY;
  return {
    start(text: string) {
      [label, started, lastTenth] = [text, Date.now(), -1];
    },
    update(done: number, total: number) {
      const tenth = Math.floor((done / total) * 10);
      if (!tty && tenth === lastTenth) return;
      if (tty && done % 25 !== 0 && done !== total) return;
      lastTenth = tenth;
      const width = 30;
      const filled = Math.round((done / total) * width);
      const rate = done / Math.max(1, (Date.now() - started) / 1000);
      const line = `${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} (${rate.toFixed(0)}/s)`;
      process.stderr.write(tty ? `\r${line}\u001b[K` : `${line}\n`);
      if (tty && done === total) process.stderr.write("\n");
    },
    end() {},
  };
}

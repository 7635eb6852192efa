import type { Children, Env } from "./children.ts";

export type AuditOutcome = { exitCode: number; breaches: string[]; summary: string };

/**
 * The auditor, as an operator runs it (`bun apps/start.ts audit`), against the scenario's database
 * and notifier log. Its BREACH lines are the breaches; an exit code that disagrees with them (a
 * crash of the auditor itself) counts as one.
 */
export async function runAuditor(children: Children, env: Env = {}): Promise<AuditOutcome> {
  const { code, output } = await children.run(["audit"], { LOG_LEVEL: "warn", ...env });
  return parseAudit(code, output);
}

export function parseAudit(exitCode: number, output: string): AuditOutcome {
  const lines = output.split("\n");
  const breaches = lines.filter((line) => line.startsWith("BREACH "));
  const summary = lines.find((line) => line.startsWith("audit: ")) ?? "";
  if (!summary || (exitCode === 0) !== (breaches.length === 0)) {
    breaches.push(`BREACH auditor: exit code ${exitCode}${summary ? ` with "${summary}"` : ", no summary"}: ${output.slice(-500)}`);
  }
  return { exitCode, breaches, summary };
}

import type { Cluster } from "./cluster.ts";

/** How many log lines of the processes of `name` (every incarnation) match `pattern`. */
export function countLines(cluster: Cluster, name: string, pattern: RegExp): number {
  return cluster.children.logsOf(name).split("\n").filter((line) => pattern.test(line)).length;
}

/** The same, over several process names: { name: count } without the zeros. */
export function countPerProcess(cluster: Cluster, names: readonly string[], pattern: RegExp): Record<string, number> {
  return Object.fromEntries(names.map((name) => [name, countLines(cluster, name, pattern)]).filter(([, n]) => n !== 0));
}

export const describeCounts = (counts: Record<string, number>) =>
  Object.entries(counts).map(([name, n]) => `${name} ${n}`).join(", ") || "none";

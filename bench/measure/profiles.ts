import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Where the time goes inside each Bun process of the flow: Bun's sampling profiler (`--cpu-prof`,
 * Chrome's .cpuprofile format), switched on through BUN_OPTIONS for the flow's processes only.
 * One sample every `profileIntervalUs`: at 5 ms its cost was within this machine's run-to-run noise
 * (a service's CPU per push 3.5–3.7 ms profiled, 3.5–4.0 ms not), where 0.25 ms added a quarter.
 *
 * The samples are of the JS thread's wall-clock time while it is busy, not of its CPU: a call that
 * blocks in the kernel gets samples all along (300 fdatasyncs of a small file: 121 ms wall, 50 ms
 * of CPU, 87 % of the samples in fdatasyncSync), and so does code the scheduler took the core from.
 */
export const profileIntervalUs = 5_000;

export type ProfileShare = { name: string; share: number };
export type ProfileSummary = {
  samples: number;
  /** The code a sample's time belongs to: a package, a folder of ours, or the runtime. */
  parts: ProfileShare[];
  /** The functions the samples were in (self time), with where they are. */
  functions: ProfileShare[];
};

/**
 * The environment that makes a Bun process write its profile to `<dir>/<name>.cpuprofile` when it
 * exits. BUN_OPTIONS is split at spaces: `dir` and `name` must have none.
 */
export function profileEnv(dir: string, name: string): Record<string, string> {
  if (/\s/.test(dir + name)) throw new Error(`profileEnv: no spaces allowed in ${dir}/${name}`);
  return { BUN_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir} --cpu-prof-name=${name}.cpuprofile --cpu-prof-interval=${profileIntervalUs}` };
}

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; hitCount?: number; children?: number[] };
type CpuProfile = { nodes: ProfileNode[]; samples?: number[] };

const runtime = "runtime (event loop, I/O, timers)";

/**
 * Native calls that wait for the disk with the JS thread blocked: their samples are waiting, not
 * work, and count as a part of their own instead of the caller's (the recording notifier's journal).
 */
const diskWaits = new Set(["fdatasyncSync", "fsyncSync"]);
const diskWait = "waiting for the disk (fsync, fdatasync)";

/**
 * The part of the code a frame is in: `node_modules/<package>`, or our `<top folder>/<folder>`
 * (lib/db, apps/payment), or undefined for the runtime's own frames (native code, node:*).
 */
export function partOf(url: string, root: string): string | undefined {
  const path = url.startsWith("file://") ? url.slice("file://".length) : url;
  if (!path.startsWith("/")) return undefined;
  const modules = path.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const [scope, name] = path.slice(modules + "/node_modules/".length).split("/");
    return scope!.startsWith("@") ? `${scope}/${name}` : scope;
  }
  const inRepo = path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
  const folders = inRepo.split("/");
  return folders.length > 2 ? `${folders[0]}/${folders[1]}` : folders[0];
}

/**
 * Counts each sample once: its function (self), and its part, the nearest frame up the stack that
 * is in a file, so the native work a library asks for (a socket write, JSON.parse, an array's map)
 * counts as that library's. Samples with no such frame are the runtime's own; samples blocked on a
 * disk sync are the disk's.
 */
export function summarizeProfile(profile: CpuProfile, root: string, top = 8): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const hits = new Map<number, number>();
  if (profile.samples) for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  else for (const node of profile.nodes) if (node.hitCount) hits.set(node.id, node.hitCount);

  const parts = new Map<string, number>();
  const functions = new Map<string, number>();
  let samples = 0;
  for (const [id, count] of hits) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === "(root)" || node.callFrame.functionName === "(idle)") continue;
    samples += count;
    let part = diskWaits.has(node.callFrame.functionName) ? diskWait : undefined;
    for (let at: number | undefined = id; at !== undefined && part === undefined; at = parent.get(at)) {
      part = partOf(byId.get(at)?.callFrame.url ?? "", root);
    }
    parts.set(part ?? runtime, (parts.get(part ?? runtime) ?? 0) + count);
    const { functionName, url, lineNumber } = node.callFrame;
    const where = partOf(url, root) ? `${url.replace(`file://${root}/`, "").replace(/^.*\/node_modules\//, "")}:${lineNumber + 1}` : "native";
    const name = `${functionName || "(anonymous)"} (${where})`;
    functions.set(name, (functions.get(name) ?? 0) + count);
  }
  const shares = (counts: Map<string, number>) =>
    [...counts].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, count]) => ({ name, share: samples > 0 ? count / samples : 0 }));
  return { samples, parts: shares(parts), functions: shares(functions) };
}

/** Every `<name>.cpuprofile` in `dir`, summarized, by name; none when the folder is missing. */
export function readProfiles(dir: string, root: string): Record<string, ProfileSummary> {
  if (!existsSync(dir)) return {};
  const out: Record<string, ProfileSummary> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".cpuprofile")).sort()) {
    out[file.slice(0, -".cpuprofile".length)] = summarizeProfile(JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile, root);
  }
  return out;
}

import { join } from "node:path";
import { describe, expect, test } from "bun:test";
import { roster } from "../roster.ts";

/**
 * compose.yaml and docs/operations.md are written by hand (neither can be generated cleanly), so
 * these tests hold them to the roster: every service with its port, and no process of the flow
 * that the roster does not know.
 */
const repository = join(import.meta.dir, "..", "..");
const read = (path: string) => Bun.file(join(repository, path)).text();

type ComposeService = {
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, unknown>;
};

/** The processes `bun run start` runs besides the roster's services (apps/start.ts). */
const plumbing = ["migrate", "relay", "dispatcher"];

async function composeServices(): Promise<Record<string, ComposeService>> {
  const compose = Bun.YAML.parse(await read("compose.yaml")) as { services: Record<string, ComposeService> };
  return compose.services;
}

/** `order` for a service whose command is `bun apps/start.ts order`; undefined for infrastructure. */
function startedProcess(service: ComposeService): string | undefined {
  const [runtime, entry, name] = service.command ?? [];
  return runtime === "bun" && entry === "apps/start.ts" ? name : undefined;
}

describe("compose.yaml", () => {
  test.each(roster.map((s) => [s.name, s.port] as const))("runs %s on its roster port %d", async (name, port) => {
    const service = (await composeServices())[name];
    expect(service, `compose.yaml has no service "${name}" (apps/roster.ts lists it)`).toBeDefined();
    expect(startedProcess(service!)).toBe(name);
    expect(service!.environment?.PORT).toBe(String(port));
    expect(service!.ports ?? []).toContain(`127.0.0.1:${port}:${port}`);
  });

  test("runs no process of the flow that the roster does not know", async () => {
    const known = new Set([...roster.map((s) => s.name), ...plumbing]);
    const started = Object.values(await composeServices()).flatMap((s) => startedProcess(s) ?? []);
    expect(started.filter((name) => !known.has(name))).toEqual([]);
    expect(new Set(started)).toEqual(known);
  });

  test("points the dispatcher at every roster service, and waits for each to be healthy", async () => {
    const dispatcher = (await composeServices()).dispatcher!;
    const urls = Object.entries(dispatcher.environment ?? {}).filter(([key]) => /^[A-Z]+_EVENTS_URL$/.test(key));
    expect(Object.fromEntries(urls)).toEqual(Object.fromEntries(roster.map((s) => [`${s.name.toUpperCase()}_EVENTS_URL`, `http://${s.name}:${s.port + 1}`])));
    for (const { name } of roster) expect(dispatcher.depends_on?.[name]).toEqual({ condition: "service_healthy" });
  });
});

describe("docs/operations.md", () => {
  test("gives every roster service's default port in its PORT row", async () => {
    const row = (await read("docs/operations.md")).split("\n").find((line) => line.startsWith("| `PORT` |"));
    expect(row, "docs/operations.md has no `PORT` row in its configuration table").toBeDefined();
    const listed = [...row!.matchAll(/\b([a-z]+) (\d{4,5})\b/g)].map(([, name, port]) => [name, Number(port)]);
    const expected = roster.map((s) => [s.name, s.port]);
    expect(listed.filter(([name]) => !plumbing.includes(name as string))).toEqual(expected);
  });
});

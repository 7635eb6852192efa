import { readFileSync } from "node:fs";
import { expect, test } from "bun:test";
import { freePort, freePortBetween } from "./ports.ts";

test("freePort hands out distinct ports below the kernel's ephemeral range, each one bindable", () => {
  const ephemeralStart = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
  const ports = Array.from({ length: 50 }, () => freePort());
  expect(new Set(ports).size).toBe(ports.length);
  for (const port of ports) {
    expect(port).toBeLessThan(ephemeralStart);
    const server = Bun.serve({ port, hostname: "127.0.0.1", fetch: () => new Response() });
    expect(server.port).toBe(port);
    server.stop(true);
  }
});

test("the search skips a port something listens on, and takes it once it is free", () => {
  const busy = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = busy.port;
  try {
    expect(() => freePortBetween(port, port)).toThrow(`no free port between ${port} and ${port}`);
  } finally {
    busy.stop(true);
  }
  expect(freePortBetween(port, port)).toBe(port);
  expect(() => freePortBetween(port, port)).toThrow(); // handed out once: never again
});

import { readFileSync } from "node:fs";

/**
 * The first port of the kernel's ephemeral range: every outgoing connection, of any process, takes
 * its local port from there, and so does a listener bound to port 0.
 */
function ephemeralRangeStart(): number {
  try {
    const first = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > 2_000 ? first : 32_768;
  } catch {
    return 32_768; // not Linux: the range Linux and most BSDs start at
  }
}

const lowest = 20_000;
const handedOut = new Set<number>();

function bindable(port: number): boolean {
  try {
    Bun.serve({ port, hostname: "127.0.0.1", fetch: () => new Response() }).stop(true);
    return true;
  } catch {
    return false;
  }
}

/**
 * A port for a process the caller is about to start (a service, a broker, a database). It lies
 * below the ephemeral range and is never handed out twice by this process. Probing with port 0
 * and releasing the port is not enough: that port comes from the ephemeral range, where a client
 * connection of any process (Kafka, PostgreSQL, a push) could take it before the child bound it,
 * or before a killed child was started again on it, and the child then died with EADDRINUSE.
 */
export function freePort(): number {
  return freePortBetween(lowest, ephemeralRangeStart() - 1);
}

/** freePort's search, within [lowest, highest]. */
export function freePortBetween(lowest: number, highest: number): number {
  const tries = Math.min(1_000, 4 * (highest - lowest + 1));
  for (let attempt = 0; attempt < tries; attempt++) {
    const port = lowest + Math.floor(Math.random() * (highest - lowest + 1));
    if (handedOut.has(port) || !bindable(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port between ${lowest} and ${highest} after ${tries} tries`);
}

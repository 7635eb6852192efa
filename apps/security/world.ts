import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../../lib/log/index.ts";
import { testSecurityEnv } from "../../lib/testing/index.ts";
import { composeFlow, type Flow } from "../dev/compose.ts";
import { type Control, placeGenuineOrders, stockAndPrice } from "./genuine.ts";
import { type Snapshot, type StateProbe, stateProbe, untilQuiet } from "./state.ts";

/** The product every check aims at: in the catalogue, in stock, with a price. */
export const target = { productId: "sec-mug", name: "Security mug", unitPrice: 1800, currency: "JPY", available: 50 } as const;
export type Target = typeof target;

/** pino's level of `log.error`. */
const errorLevel = 50;

export type World = {
  flow: Flow;
  probe: StateProbe;
  /** The public listener (customers, staff) and the internal one (signed pushes). */
  callPublic(request: Request): Promise<Response>;
  callInternal(request: Request): Promise<Response>;
  tokens: { customer: string; staff: string };
  /** Orders placed honestly before the checks, settled: what replays and forgeries aim at. */
  genuineOrders: string[];
  /** What was verified to work before any hostile input: without it a refusal proves nothing. */
  controls: Control[];
  /** The first lines the flow logged (none are printed), how many there were, and its error lines (500s and worse). */
  logs: { first: string[]; count: number; errors: string[] };
  quiet(): Promise<Snapshot>;
  alive(): Promise<boolean>;
  close(): Promise<void>;
};

/**
 * The whole flow in this process, on embedded engines and a fresh data directory, with the test
 * secrets (so test tokens and test signatures verify) and no rate limit: one flow for every check,
 * as a deployment would face them.
 */
export async function openWorld(): Promise<World> {
  const dataDir = mkdtempSync(join(tmpdir(), "orderflow-security-"));
  // Kept short: ten thousand hostile inputs must not grow the heap through the log.
  const logs = { first: [] as string[], count: 0, errors: [] as string[] };
  const keep = (line: string) => {
    if (++logs.count <= 20) logs.first.push(line);
    if ((JSON.parse(line) as { level: number }).level >= errorLevel) logs.errors.push(line.slice(0, 300));
  };
  const log = createLogger({ name: "security", level: "info", destination: { write: keep } });
  const flow = await composeFlow({ dataDir, log, retryBaseDelayMs: 10, env: { ORDERFLOW_RATE_LIMIT: "0", ...testSecurityEnv } });
  await flow.start();
  const probe = await stateProbe(flow.database.db);
  const tokens = { customer: await flow.tokenFor("u-sec-1"), staff: await flow.tokenFor("staff-sec", "staff") };
  const callPublic = async (request: Request) => flow.app.fetch(request);
  const callInternal = async (request: Request) => flow.internal(request);
  const controls = await stockAndPrice(callPublic, tokens.staff, target);
  const placed = await placeGenuineOrders(callPublic, tokens.customer, target);
  await untilQuiet(probe);
  const health = (call: (request: Request) => Promise<Response>) => call(new Request("http://localhost/health")).then((r) => r.status === 200, () => false);
  return {
    flow,
    probe,
    callPublic,
    callInternal,
    tokens,
    genuineOrders: placed.orderIds,
    controls: [...controls, ...placed.controls],
    logs,
    quiet: () => untilQuiet(probe),
    alive: async () => (await health(callPublic)) && (await health(callInternal)),
    async close() {
      await flow.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

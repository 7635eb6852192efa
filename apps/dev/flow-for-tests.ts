import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "bun:test";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { testSecurityEnv } from "../../lib/testing/index.ts";
import { composeFlow, type Flow, type FlowOptions } from "./compose.ts";
import { flowClient } from "./flow-client.ts";

/**
 * One whole flow on the embedded engines for a test file: started in its own temporary DATA_DIR
 * before the tests (signed with the test secrets, retrying every 10 ms), stopped and removed after.
 * `env` adds the file's own settings.
 */
export function flowForTests(name: string, options: { env?: Record<string, string> } & Pick<FlowOptions, "reservation"> = {}) {
  let flow: Flow | undefined;
  let dataDir = "";
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), `orderflow-${name}-`));
    flow = await composeFlow({ dataDir, log: createMemoryLogger(), retryBaseDelayMs: 10, ...options, env: { ...testSecurityEnv, ...options.env } });
    await flow.start();
  }, 60_000);
  afterAll(async () => {
    await flow?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);
  const flowOf = () => flow!;
  return { flow: flowOf, dataDir: () => dataDir, ...flowClient(flowOf) };
}

import { describeEngines, engineConfigFromEnv } from "../../lib/engines/index.ts";
import { internalAddress, serverIdleTimeoutSeconds } from "../../lib/http/index.ts";
import { composeFlow } from "./compose.ts";
import { demoProducts, seedDemoProducts } from "./demo-products.ts";

// Composition root of `bun run dev`: the only place that reads the environment.
const config = engineConfigFromEnv(process.env);
const port = Number(process.env.PORT || 3000);
const flow = await composeFlow({ ...config, env: process.env });
await seedDemoProducts(flow.database.db, new Date());
await flow.start();
// `bun run start workers` runs this once per core, all on the same ports: the kernel spreads the connections.
const reusePort = process.env.ORDERFLOW_REUSE_PORT === "1";
const server = Bun.serve({ port, hostname: process.env.HOST ?? "127.0.0.1", fetch: flow.app.fetch, idleTimeout: serverIdleTimeoutSeconds, reusePort });
const internal = Bun.serve({ ...internalAddress(process.env, server.port!), fetch: flow.internal, idleTimeout: serverIdleTimeoutSeconds, reusePort });

const base = `http://${server.hostname}:${server.port}`;
const [u1, u2, staff] = await Promise.all([flow.tokenFor("u-1"), flow.tokenFor("u-2"), flow.tokenFor("staff-1", "staff")]);
const [tea, mug] = demoProducts;
const address = `"shippingAddress":{"prefecture":"東京都","city":"千代田区","line1":"丸の内1-1","postalCode":"100-0005"}`;
const order = (items: string, token = "tok_visa") =>
  `curl -si -X POST ${base}/orders -H "authorization: Bearer $U1" -H 'content-type: application/json' -d '{"currency":"JPY","items":[${items}],${address},"payment":{"method":"credit_card","token":"${token}"}}'`;
const worker = process.env.ORDERFLOW_WORKER;
if (worker && !worker.startsWith("1/")) console.log(`orderflow worker ${worker} is running on ${base} (${describeEngines(config)})`);
else console.log(`orderflow is running on ${base} (${describeEngines(config)})
Signed event pushes are served on http://${internal.hostname}:${internal.port} (internal; not for browsers).
Demo products: ${demoProducts.map((p) => `${p.productId} ×${p.available} at ${p.unitPrice} JPY`).join(", ")}

Tokens (24 h; another: bun run start token <sub> [--role staff]):
  export U1=${u1}
  export U2=${u2}
  export STAFF=${staff}

Try it:
  # happy path → shipped
  ${order(`{"productId":"${tea.productId}","quantity":2}`)}
  curl -s ${base}/orders/<orderId> -H "authorization: Bearer $U1"
  # declined card → cancelled, payment_failed
  ${order(`{"productId":"${tea.productId}","quantity":1}`, "tok_declined")}
  # more than the stock → refunded, cancelled, out_of_stock
  ${order(`{"productId":"${mug.productId}","quantity":99}`)}
  curl -s '${base}/gateway/charges?orderId=<orderId>' -H "authorization: Bearer $U1"   # also /payments, /shipments, /notifications
`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping`);
  await Promise.all([server.stop(), internal.stop()]);
  await flow.stop();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

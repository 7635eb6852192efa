import { demoProducts, seedDemoProducts } from "./demo-products.ts";
import { describeEngines, engineConfigFromEnv } from "../../lib/engines/index.ts";
import { composeFlow } from "./compose.ts";

// Composition root of `bun run dev`: the only place that reads the environment.
const config = engineConfigFromEnv(process.env);
const port = Number(process.env.PORT || 3000);
const flow = await composeFlow(config);
await seedDemoProducts(flow.database.db, new Date());
await flow.start();
const server = Bun.serve({ port, hostname: process.env.HOST ?? "127.0.0.1", fetch: flow.app.fetch });

const base = `http://${server.hostname}:${server.port}`;
const [tea, mug] = demoProducts;
const address = `"shippingAddress":{"prefecture":"東京都","city":"千代田区","line1":"丸の内1-1","postalCode":"100-0005"}`;
const order = (items: string, token = "tok_visa") =>
  `curl -si -X POST ${base}/orders -H 'content-type: application/json' -d '{"userId":"u-1","currency":"JPY","items":[${items}],${address},"payment":{"method":"credit_card","token":"${token}"}}'`;
console.log(`orderflow is running on ${base} (${describeEngines(config)})
Demo stock: ${demoProducts.map((p) => `${p.productId} ×${p.available}`).join(", ")}

Try it:
  # happy path → shipped
  ${order(`{"productId":"${tea.productId}","quantity":2,"unitPrice":${tea.unitPrice}}`)}
  curl -s ${base}/orders/<orderId>
  # declined card → cancelled, payment_failed
  ${order(`{"productId":"${tea.productId}","quantity":1,"unitPrice":${tea.unitPrice}}`, "tok_declined")}
  # more than the stock → refunded, cancelled, out_of_stock
  ${order(`{"productId":"${mug.productId}","quantity":99,"unitPrice":${mug.unitPrice}}`)}
  curl -s '${base}/gateway/charges?orderId=<orderId>'   # also /payments, /shipments, /notifications
`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping`);
  await server.stop();
  await flow.stop();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

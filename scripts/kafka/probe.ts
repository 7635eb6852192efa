/**
 * Exits 0 when the Kafka broker at host:port answers a Metadata request and lists at least one
 * broker, 1 otherwise. start.sh polls it: an open port alone is not enough, since the listener
 * can accept before the broker has registered with its controller.
 *
 * Usage: bun scripts/kafka/probe.ts [host:port] [timeout-ms]
 *
 * Speaks the wire protocol directly (Metadata v4, the oldest version Kafka 4 still serves) so the
 * probe needs no client library and costs one short-lived process.
 */
import { connect } from "node:net";

const [host = "127.0.0.1", port = "9092"] = (process.argv[2] ?? "127.0.0.1:9092").split(":");
const timeoutMs = Number(process.argv[3] ?? 2000);
const correlationId = 0x0b5e;

function metadataRequest(): Buffer {
  const clientId = Buffer.from("orderflow-probe");
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4 + 1);
  let at = body.writeInt16BE(3, 0); // api_key: Metadata
  at = body.writeInt16BE(4, at); // api_version
  at = body.writeInt32BE(correlationId, at);
  at = body.writeInt16BE(clientId.length, at);
  at += clientId.copy(body, at);
  at = body.writeInt32BE(-1, at); // topics: null = all, an empty cluster answers quickly anyway
  body.writeInt8(0, at); // allow_auto_topic_creation
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/** Number of brokers in a Metadata v4 response, after checking that it answers our request. */
function brokerCount(response: Buffer): number {
  if (response.readInt32BE(0) !== correlationId) throw new Error("unexpected correlation id");
  return response.readInt32BE(8); // after correlation_id and throttle_time_ms
}

function probe(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port) });
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on("connect", () => socket.write(metadataRequest()));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return;
      clearTimeout(timer);
      socket.end();
      try {
        resolve(brokerCount(received.subarray(4)));
      } catch (error) {
        reject(error);
      }
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on("close", () => reject(new Error("connection closed before a full answer")));
  });
}

try {
  const brokers = await probe();
  if (brokers < 1) throw new Error("metadata lists no broker yet");
  process.exit(0);
} catch (error) {
  console.error(`kafka probe ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

export { createEmbeddedBroker } from "./embedded.ts";
export { withNamespace } from "./namespaced.ts";
export type { Broker, ConsumedRecord, ProducedRecord, Subscription } from "./types.ts";
/** The Kafka adapter, loaded on demand: importing it pulls in the Kafka client, which embedded mode never needs. */
export const loadKafka = () => import("./kafka.ts");

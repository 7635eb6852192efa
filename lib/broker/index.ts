export { createEmbeddedBroker, type EmbeddedBroker, type EmbeddedBrokerOptions } from "./embedded.ts";
export { defaultRetention, defaultRetentionOf, type RetentionLag, type RetentionPolicy } from "./embedded-retention.ts";
export { withNamespace } from "./namespaced.ts";
export { partitionForKey } from "./partitioner.ts";
export {
  type BatchHandler,
  BrokerErrorCode,
  type Broker,
  type ConsumedRecord,
  type Delivery,
  type ProducedRecord,
  type ResetPoint,
  type SubscribeOptions,
  type Subscription,
} from "./types.ts";
/** The Kafka adapter, loaded on demand: importing it pulls in the Kafka client, which embedded mode never needs. */
export const loadKafka = () => import("./kafka.ts");

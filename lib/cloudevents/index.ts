export type { CloudEvent, CloudEventAttributeValue, ContentMode } from "./types.ts";
export { CloudEventErrorCode, CloudEventMediaType, SPEC_VERSION } from "./types.ts";
export { cloudEventBatchSchema, cloudEventEnvelopeSchema, parseCloudEvent, parseCloudEventBatch } from "./envelope.ts";
export { serializeCloudEvent, serializeCloudEventBatch, toJsonEnvelope } from "./json-format.ts";
export { type ReadResult, readCloudEvents, toBatchRequest, toBinaryRequest, toStructuredRequest } from "./http.ts";
export { fromKafkaRecord, type KafkaMessage, partitionKeyOf, toKafkaRecord } from "./kafka.ts";
export { isRfc3339 } from "./rfc3339.ts";
export { isAbsoluteUri, isUriReference } from "./uri.ts";
export { isJsonMediaType, type MediaType, parseMediaType } from "./media-type.ts";

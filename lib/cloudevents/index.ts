export {
  type DeadLetter,
  type DeadLetterCause,
  DeadLetterHeader,
  type DeadLetterOrigin,
  deadLetterOfEvent,
  deadLetterOfRecord,
  readDeadLetter,
  redriven,
  redrivenFor,
  redriveMarker,
  redrivenOffsetOf,
} from "./dead-letter.ts";
export { cloudEventBatchSchema, cloudEventEnvelopeSchema, parseCloudEvent, parseCloudEventBatch } from "./envelope.ts";
export { type ReadOptions, readCloudEvents, type ReadResult, toBatchRequest, toBinaryRequest, toSerializedBatchRequest, toStructuredRequest } from "./http.ts";
export { serializeCloudEvent, serializeCloudEventBatch, toJsonEnvelope } from "./json-format.ts";
export { fromKafkaRecord, type KafkaMessage, type KafkaRecord, partitionKeyOf, toKafkaRecord, toStructuredKafkaRecord } from "./kafka.ts";
export { isJsonMediaType, isUtf8JsonMediaType, type MediaType, parseMediaType } from "./media-type.ts";
export { instantOf, isRfc3339 } from "./rfc3339.ts";
export { isCloudEventsString } from "./type-system.ts";
export { type CloudEvent, type CloudEventAttributeValue, CloudEventErrorCode, CloudEventMediaType, type ContentMode, SPEC_VERSION, type ValidCloudEvent } from "./types.ts";
export { isAbsoluteUri, isUriReference } from "./uri.ts";

export { JsonValueSchema, JsonObjectSchema, MAX_JSON_DEPTH } from './json.js';
export type { JsonValue, JsonObject } from './json.js';
export {
  systems,
  SystemSchema,
  changeOps,
  ChangeOpSchema,
  EntityTypeSchema,
  InstanceSchema,
} from './vocabulary.js';
export type { System, ChangeOp } from './vocabulary.js';
export { ChangeSchema, EntityIdSchema, TimestampSchema } from './change.js';
export type { Change } from './change.js';
export { TraceparentSchema, TracestateSchema } from './trace-context.js';
export {
  EVENT_TYPE_PREFIX,
  EVENT_TYPE_VERSION,
  EVENT_TOPIC_PATTERN,
  opVerbs,
  eventTypeFor,
  parseEventType,
  sourceFor,
  topicFor,
  parseTopic,
  isEventTopic,
} from './naming.js';
export { EVENT_ID_NAMESPACE, eventIdFor, uuidV5 } from './event-id.js';
export type { EventIdInput } from './event-id.js';
export {
  EVENT_DATA_CONTENT_TYPE,
  TidemarkEventSchema,
  buildChangeEvent,
  toStructuredJson,
  fromStructuredJson,
} from './event.js';
export type { TidemarkEvent, ChangeEventOptions, DecodeResult } from './event.js';
export { encodeEvent, decodeEvent } from './kafka-codec.js';
export type { EncodedKafkaMessage, IncomingKafkaMessage } from './kafka-codec.js';
export {
  MAX_HEADER_VALUE_BYTES,
  MAX_HEADERS_TOTAL_BYTES,
  MAX_HEADER_COUNT,
} from './kafka-headers.js';
export type { IncomingHeaders, IncomingHeaderValue } from './kafka-headers.js';

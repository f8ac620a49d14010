export { type Envelope, type EventMetadata, envelopeSchema, newEventId } from './envelope.ts';
export {
  type DomainEvent,
  type EventOf,
  type EventType,
  eventSchemas,
  eventTypes,
  parseEvent,
  type PushKind,
  type QuietHours,
} from './events.ts';
export { notificationIdFor } from './notification-id.ts';

export * from './api.ts';
export { causedBy, createEvent, type EventContext } from './create-event.ts';
export { type Envelope, type EventMetadata, envelopeSchema, newEventId } from './envelope.ts';
export {
  currentVersion,
  type DomainEvent,
  type EventOf,
  type EventType,
  eventSchemas,
  eventTypes,
  mutableKinds,
  type PushKind,
  parseEvent,
  type QuietHours,
} from './events.ts';
export { notificationIdFor } from './notification-id.ts';

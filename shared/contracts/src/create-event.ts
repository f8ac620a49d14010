import { newEventId } from './envelope.ts';
import { currentVersion, type EventOf, type EventType } from './events.ts';

export interface EventContext {
  occurredAt: Date;
  correlationId: string;
  causationId: string | null;
}

/**
 * Wraps event data in the envelope, at the type's current version. Ids and time come
 * from the caller, never from here.
 */
export function createEvent<Type extends EventType>(
  type: Type,
  familyId: string,
  data: EventOf<Type>['data'],
  context: EventContext,
  id: string = newEventId(),
): EventOf<Type> {
  return {
    id,
    type,
    version: currentVersion(type),
    occurredAt: context.occurredAt.toISOString(),
    familyId,
    correlationId: context.correlationId,
    causationId: context.causationId,
    data,
  } as EventOf<Type>;
}

/** The context for events caused by `cause`: same correlation, caused by it. */
export const causedBy = (cause: { id: string; correlationId: string }, occurredAt: Date): EventContext => ({
  occurredAt,
  correlationId: cause.correlationId,
  causationId: cause.id,
});

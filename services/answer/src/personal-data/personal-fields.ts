import { isSealed, openField, sealedFor, sealField } from './sealed-field.ts';
import { erasedAnswerText, erasedUid, formerMemberName } from './stand-ins.ts';

/** An event as the store keeps it: its type and data. */
interface EventData {
  type: string;
  data: unknown;
}

/**
 * The personal fields of each event type the answer service stores; each event belongs to
 * the member named by its `memberId`. These are sealed under that member's key before they
 * are written, and what stands in for each once the key is destroyed.
 */
const personalFields: Readonly<Record<string, Readonly<Record<string, (memberId: string) => string>>>> = {
  MemberJoined: { uid: erasedUid, displayName: () => formerMemberName },
  MemberPreferencesChanged: { displayName: () => formerMemberName },
  AnswerSubmitted: { text: () => erasedAnswerText },
};

/** The member an event's personal fields belong to, if it has any. */
export function ownerOf(event: EventData): string | undefined {
  if (!Object.hasOwn(personalFields, event.type)) return undefined;
  return (event.data as { memberId?: string }).memberId;
}

/** The members whose keys are needed to read these events as they are stored. */
export function ownersOf(events: Iterable<EventData>): string[] {
  const owners = new Set<string>();
  for (const event of events) {
    const owner = ownerOf(event);
    if (owner) owners.add(owner);
  }
  return [...owners];
}

/** The event as stored: its personal fields sealed under its owner's key (which must be given). */
export function sealEvent<Event extends EventData>(event: Event, keys: ReadonlyMap<string, Buffer>): Event {
  const owner = ownerOf(event);
  if (!owner) return event;
  const key = keys.get(owner);
  if (!key) throw new Error(`no personal key for member ${owner}`);
  const data = { ...(event.data as Record<string, unknown>) };
  for (const field of Object.keys(personalFields[event.type] ?? {})) {
    const value = data[field];
    if (typeof value === 'string' && !isSealed(value)) data[field] = sealField(key, owner, value);
  }
  return { ...event, data };
}

/**
 * The event as read: each personal field opened with its owner's key, or its stand-in when
 * the key is gone (the member erased). A field in the clear (written before fields were
 * sealed, or an event kept in memory since it was appended) is shown only while its owner's
 * key exists, so erasure hides those too.
 */
export function openEvent<Event extends EventData>(event: Event, keys: ReadonlyMap<string, Buffer>): Event {
  const owner = ownerOf(event);
  if (!owner) return event;
  const data = { ...(event.data as Record<string, unknown>) };
  for (const [field, standIn] of Object.entries(personalFields[event.type] ?? {})) {
    const value = data[field];
    if (typeof value !== 'string') continue;
    const opened = isSealed(value) ? openField(keys.get(sealedFor(value)), value) : keys.has(owner) ? value : undefined;
    data[field] = opened ?? standIn(owner);
  }
  return { ...event, data };
}

/** The personal fields of a type, for redacting copies kept elsewhere (the outbox, legacy rows). */
export const personalFieldsOf = (type: string): string[] => Object.keys(personalFields[type] ?? {});

export const standInFor = (type: string, field: string, memberId: string): string =>
  personalFields[type]?.[field]?.(memberId) ?? '';

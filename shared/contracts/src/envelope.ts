import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';

/**
 * What every event on the bus carries around its `data`. `correlationId` follows one
 * request or tick through every event it causes; `causationId` names the event (or
 * request) that directly caused this one.
 */
export const envelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  familyId: z.uuid(),
  correlationId: z.string().min(1),
  causationId: z.string().min(1).nullable(),
  data: z.unknown(),
});

export type Envelope<Type extends string = string, Data = unknown> = Omit<
  z.infer<typeof envelopeSchema>,
  'type' | 'data'
> & { type: Type; data: Data };

/** Who caused an event and why; carried from the command or message that led to it. */
export interface EventMetadata {
  correlationId: string;
  causationId: string | null;
}

/** Event ids are UUID v7: unique, and sortable by creation time. */
export const newEventId = (): string => uuidv7();

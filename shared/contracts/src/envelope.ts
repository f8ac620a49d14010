import { randomFillSync } from 'node:crypto';
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

// Random bytes for event ids, drawn 256 ids at a time: left to itself, uuid draws 16 bytes
// from the operating system per id, a noticeable share of a due tick's work per event.
const randomPool = new Uint8Array(16 * 256);
let randomOffset = randomPool.length;
// The ordering uuid keeps only when it draws its own randomness: within a millisecond the
// sequence counts up, so that ids from one process strictly increase.
const order = { msecs: Number.NEGATIVE_INFINITY, seq: 0 };

/** Event ids are UUID v7: unique, and sortable by creation time (strictly, within a process). */
export const newEventId = (): string => {
  if (randomOffset === randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  const random = randomPool.subarray(randomOffset, randomOffset + 16);
  randomOffset += 16;
  const now = Date.now();
  if (now > order.msecs) {
    order.msecs = now;
    // A random start in each millisecond, its top bit clear to leave room to count up.
    order.seq =
      (((random[6] ?? 0) & 0x7f) << 24) | ((random[7] ?? 0) << 16) | ((random[8] ?? 0) << 8) | (random[9] ?? 0);
  } else {
    order.seq = (order.seq + 1) | 0;
    if (order.seq === 0) order.msecs += 1;
  }
  return uuidv7({ random, msecs: order.msecs, seq: order.seq });
};

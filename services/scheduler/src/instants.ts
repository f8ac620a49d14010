// The adapters' bridge between what pg and the envelope carry (Date, ISO text) and the
// domain's Temporal types.
import { Temporal } from 'temporal-polyfill';

export const toInstant = (date: Date): Temporal.Instant => Temporal.Instant.fromEpochMilliseconds(date.getTime());

export const toDate = (instant: Temporal.Instant): Date => new Date(instant.epochMilliseconds);

/** An instant as the envelope writes it (ISO 8601, UTC, milliseconds). */
export const toIsoString = (instant: Temporal.Instant): string => toDate(instant).toISOString();

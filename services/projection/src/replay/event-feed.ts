import { type DomainEvent, parseEvent } from '@haru/contracts';
import { serviceTokenHeader } from '@haru/http';

/** A page of the answer service's event feed (`GET /internal/events`), checked at the edge. */
export interface FeedPage {
  events: DomainEvent[];
  nextAfter: number;
  /** Every transaction below this has ended, and its events are in the feed. */
  horizon: bigint;
  /** Every transaction committed when the page was read is below this. */
  frontier: bigint;
}

export interface EventFeed {
  /** Up to `limit` events after position `after`; with `until`, only of transactions below it. */
  read(after: number, limit: number, until?: bigint): Promise<FeedPage>;
}

/** Reads the answer service's event feed over HTTP with the internal service credential. */
export function eventFeed({ answerUrl, internalApiToken }: { answerUrl: string; internalApiToken: string }): EventFeed {
  return {
    async read(after, limit, until) {
      const url = new URL('/internal/events', answerUrl);
      url.searchParams.set('after', String(after));
      url.searchParams.set('limit', String(limit));
      if (until !== undefined) url.searchParams.set('until', String(until));
      const response = await fetch(url, { headers: { [serviceTokenHeader]: internalApiToken } });
      if (!response.ok) throw new Error(`the event feed answered ${response.status}: ${await response.text()}`);
      const page = (await response.json()) as {
        events: Array<{ position: number } & Record<string, unknown>>;
        nextAfter: number;
        horizon: string;
        frontier: string;
      };
      const events = page.events.map(({ position, ...envelope }) => {
        const parsed = parseEvent(envelope);
        // A replay that skipped an event could not be trusted: stop instead.
        if (!parsed.ok) throw new Error(`the event at position ${position} is not valid: ${parsed.reason}`);
        return parsed.event;
      });
      return { events, nextAfter: page.nextAfter, horizon: BigInt(page.horizon), frontier: BigInt(page.frontier) };
    },
  };
}

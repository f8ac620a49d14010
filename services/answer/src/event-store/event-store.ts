import { setTimeout as delay } from 'node:timers/promises';
import {
  createEvent,
  type DomainEvent,
  type EventContext,
  type EventType,
  eventSchemas,
  newEventId,
} from '@haru/contracts';
import { type Database, type Executor, isUniqueViolation } from '@haru/db';
import { HaruError } from '@haru/errors';
import { appendToOutbox, type OutboxExecutor, transactionWithOutbox } from '@haru/messaging';
import { type Insertable, sql, type Transaction } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { AnswerDatabase } from '../database.ts';
import { openEvent, ownersOf, sealEvent } from '../personal-data/personal-fields.ts';
import { keysForSealing, personalKeysOf } from '../personal-data/personal-keys.ts';
import type { EventsTable } from './event.table.ts';

/** What aggregates store: a type and its data. The envelope is the store's business. */
export interface StoredEvent {
  type: string;
  data: unknown;
}

/** Raised when another writer appended to the stream since it was read. */
export class StreamVersionConflict extends Error {
  override name = 'StreamVersionConflict';
}

/** How many times a write is tried while other writers keep getting to its streams first. */
const conflictAttempts = 8;
/** The longest first wait before a write is tried again; each next one may be twice as long. */
const conflictBackoffMs = 5;

/**
 * Runs a read-decide-append from the top again while another writer got to one of its
 * streams first. Each conflict means another write got in, so N writers racing on one stream
 * (a family's members leaving, joining and erasing their accounts at once) meet at most N − 1;
 * a short random wait, longer each time, keeps them from meeting again in step. A write still
 * losing after `conflictAttempts` tells its caller to try again (503), not that haru failed.
 */
export async function retryOnConflict<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!(error instanceof StreamVersionConflict)) throw error;
      if (attempt >= conflictAttempts) {
        throw new HaruError(
          'unavailable',
          'others changed the family at the same moment; try again',
          {},
          { cause: error },
        );
      }
      await delay(Math.random() * conflictBackoffMs * 2 ** (attempt - 1));
    }
  }
}

/**
 * How a stream's events fold into its state: `evolve` once per event, so that a fold costs
 * what its events do (an evolve that copies what grows with the stream makes it quadratic:
 * `fold-cost.test.ts` counts it). A fold with `kept` has its state kept beside the stream,
 * in `stream_states`, written in the same statement as the events: reading the stream then
 * costs one row and whatever was appended after it, not the whole history.
 */
export interface Fold<State, Event extends StoredEvent = StoredEvent> {
  initial(): State;
  evolve(state: State, event: Event): State;
  /**
   * `shape`: the version of the kept state's JSON. A row of another shape (written by code
   * that kept the state differently) is ignored and rebuilt from the stream.
   */
  kept?: { shape: number };
}

/** A stream as read: its version and its state, folded up to that version. */
export interface Stream<State = unknown> {
  version: number;
  state: State;
}

/** A stream to read, with the fold that gives its state. */
export interface StreamRead {
  streamId: string;
  fold: Fold<unknown>;
}

export async function readStream<State>(
  db: Executor<AnswerDatabase>,
  streamId: string,
  fold: Fold<State, never>,
): Promise<Stream<State>> {
  return (await readStreams(db, [{ streamId, fold: fold as Fold<unknown> }])).get(streamId) as Stream<State>;
}

/**
 * Streams whose state is folded from their events (not kept), as read or appended before,
 * per database handle: a read fetches only what was appended since. A stream's history never
 * changes, so an entry is never wrong, only behind (another replica's appends are folded on
 * top of it). Bounded by count, the streams used least recently going first; such streams
 * are short (a question's answers). Kept states are not held here: their row is read.
 */
const knownStreams = new WeakMap<object, LRUCache<string, Stream>>();
const knownStreamsLimit = 20_000;

function knownStreamsOf(db: Executor<AnswerDatabase>): LRUCache<string, Stream> | undefined {
  // A transaction may yet roll back: what it reads or writes is not remembered.
  if (db.isTransaction) return undefined;
  let known = knownStreams.get(db);
  if (!known) {
    known = new LRUCache({ max: knownStreamsLimit });
    knownStreams.set(db, known);
  }
  return known;
}

/**
 * Several streams in one query (one round trip), a stream without events being at version 0.
 * A kept stream starts from its row (if it has the fold's shape) and folds what was
 * appended after it; a kept row found missing or behind is written back, so that the next
 * read is a row again. Another stream starts from where it was last seen in this process.
 */
export async function readStreams(
  db: Executor<AnswerDatabase>,
  reads: readonly StreamRead[],
): Promise<Map<string, Stream>> {
  const known = knownStreamsOf(db);
  const folds = new Map<string, Fold<unknown>>();
  const streams = new Map<string, Stream>();
  for (const { streamId, fold } of reads) {
    if (folds.has(streamId)) continue;
    folds.set(streamId, fold);
    const seen = fold.kept ? undefined : known?.get(streamId);
    streams.set(streamId, seen ? { ...seen } : { version: 0, state: fold.initial() });
  }
  const ids = [...streams.keys()];
  // Lateral: one index range scan per stream, whatever the planner guesses of the list.
  const { rows } = await sql<{
    stream_id: string;
    kept_version: number | null;
    kept_state: unknown;
    type: string | null;
    data: unknown;
    stream_version: number | null;
  }>`
    select seen.stream_id, kept.stream_version as kept_version, kept.state as kept_state,
           later.type, later.data, later.stream_version
    from unnest(${ids}::text[], ${ids.map((id) => streams.get(id)?.version ?? 0)}::int[],
                ${ids.map((id) => folds.get(id)?.kept?.shape ?? null)}::int[]) as seen(stream_id, version, shape)
    left join stream_states kept on kept.stream_id = seen.stream_id and kept.shape = seen.shape
    left join lateral (
      select type, data, stream_version from events
      where events.stream_id = seen.stream_id and events.stream_version > coalesce(kept.stream_version, seen.version)
      order by stream_version) as later on true`.execute(db);
  // Personal fields are opened as they are folded; the keys are read every time, never
  // remembered, so that no replica reads what an erasure has made unreadable (decision 9).
  const keys = await personalKeysOf(
    db,
    ownersOf(rows.flatMap(({ type, data }) => (type === null ? [] : [{ type, data }]))),
  );
  const fromRow = new Set<string>();
  const folded = new Set<string>();
  for (const { stream_id, kept_version, kept_state, type, data, stream_version } of rows) {
    const stream = streams.get(stream_id);
    const fold = folds.get(stream_id);
    if (!stream || !fold) continue;
    if (kept_version !== null && !fromRow.has(stream_id)) {
      fromRow.add(stream_id);
      stream.version = kept_version;
      stream.state = kept_state;
    }
    if (type === null || stream_version === null) continue;
    stream.version = stream_version;
    stream.state = fold.evolve(stream.state, openEvent({ type, data }, keys));
    folded.add(stream_id);
  }
  const rebuilt: StateRow[] = [];
  for (const [streamId, stream] of streams) {
    const fold = folds.get(streamId);
    if (fold?.kept) {
      if (stream.version > 0 && (!fromRow.has(streamId) || folded.has(streamId))) {
        rebuilt.push({ streamId, version: stream.version, shape: fold.kept.shape, state: stream.state });
      }
    } else {
      remember(known, streamId, stream);
    }
  }
  if (rebuilt.length > 0) await sql`${keepStates(rebuilt)}`.execute(db);
  return streams;
}

/** Keeps a stream as read or as appended to, unless what is kept is further along. */
function remember(known: LRUCache<string, Stream> | undefined, streamId: string, stream: Stream): void {
  if (!known || stream.version === 0) return;
  if ((known.get(streamId)?.version ?? 0) >= stream.version) return;
  known.set(streamId, stream);
}

/** A kept state as written beside its stream. */
interface StateRow {
  streamId: string;
  version: number;
  shape: number;
  state: unknown;
}

/**
 * Writes kept states (one per stream: the last given wins). A row further along is left as
 * it is, unless it has another shape: a rebuild never moves a state back.
 */
function keepStates(states: readonly StateRow[]) {
  const latest = new Map(states.map((row) => [row.streamId, row]));
  const rows = [...latest.values()];
  return sql`
    insert into stream_states (stream_id, stream_version, shape, state)
    select * from unnest(${rows.map((row) => row.streamId)}::text[], ${rows.map((row) => row.version)}::int[],
                         ${rows.map((row) => row.shape)}::int[], ${rows.map((row) => JSON.stringify(row.state))}::jsonb[])
    on conflict (stream_id) do update
      set stream_version = excluded.stream_version, shape = excluded.shape, state = excluded.state
      where stream_states.stream_version < excluded.stream_version or stream_states.shape <> excluded.shape`;
}

/**
 * Folds a kept stream from its events alone (neither its row nor anything remembered) and
 * writes its row: for when a row must be rebuilt now, e.g. after the events it was folded
 * from have changed in what they can reveal. Dropping the row (`dropKeptState`) has the
 * next read rebuild it instead.
 */
export async function rebuildKeptState<State>(
  db: Executor<AnswerDatabase>,
  streamId: string,
  fold: Fold<State, never>,
): Promise<Stream<State>> {
  const shape = fold.kept?.shape;
  if (shape === undefined) throw new Error(`${streamId}: its fold is not kept`);
  const events = await readStreamEvents(db, streamId);
  let state = fold.initial();
  for (const event of events) state = (fold as Fold<State>).evolve(state, event);
  const version = events.length;
  // Written over whatever the row holds at this version or before (this is the rebuild).
  await sql`
    insert into stream_states (stream_id, stream_version, shape, state)
    values (${streamId}, ${version}, ${shape}, ${JSON.stringify(state)}::jsonb)
    on conflict (stream_id) do update
      set stream_version = excluded.stream_version, shape = excluded.shape, state = excluded.state
      where stream_states.stream_version <= excluded.stream_version`.execute(db);
  return { version, state };
}

/** Every event of a stream, oldest first, personal fields opened: what a rebuild folds. */
export async function readStreamEvents(db: Executor<AnswerDatabase>, streamId: string): Promise<StoredEvent[]> {
  const events = await db
    .selectFrom('events')
    .select(['type', 'data'])
    .where('stream_id', '=', streamId)
    .orderBy('stream_version')
    .execute();
  const keys = await personalKeysOf(db, ownersOf(events));
  return events.map((event) => openEvent(event, keys));
}

/** Drops a stream's kept state: the next read folds the stream and writes it again. */
export async function dropKeptState(db: Executor<AnswerDatabase>, streamId: string): Promise<void> {
  await db.deleteFrom('stream_states').where('stream_id', '=', streamId).execute();
}

/** Events to append to a stream that must still be at `expectedVersion`. */
export interface StreamAppend {
  streamId: string;
  familyId: string;
  expectedVersion: number;
  events: readonly StoredEvent[];
  context: EventContext;
  /** For a kept stream: its state after these events, written with them. */
  kept?: { shape: number; state: unknown };
}

/**
 * Appends events to streams that must still be at their expected versions (several appends
 * to one stream follow each other: each expects the version the one before it leaves), and
 * puts each on the outbox as its published contract (which may carry less than the stored
 * event: the contract decides what leaves the service) under the same event id. One
 * statement, so that it is atomic on its own: a command needs no transaction to append.
 */
export async function appendToStreams<E extends Executor<AnswerDatabase>>(
  executor: OutboxExecutor<E>,
  appends: readonly StreamAppend[],
): Promise<void> {
  const db = executor as Executor<AnswerDatabase>;
  const rows: Insertable<EventsTable>[] = [];
  const published: DomainEvent[] = [];
  // Personal fields are stored sealed under their member's key (decision 9).
  const keys = await keysForSealing(
    db,
    appends.flatMap(({ familyId, events }) => events.map((event) => ({ familyId, event }))),
  );
  for (const { streamId, familyId, expectedVersion, events, context } of appends) {
    for (const [index, event] of events.entries()) {
      const eventId = newEventId();
      rows.push({
        event_id: eventId,
        stream_id: streamId,
        stream_version: expectedVersion + index + 1,
        type: event.type,
        data: JSON.stringify(sealEvent(event, keys).data),
        family_id: familyId,
        occurred_at: context.occurredAt,
        correlation_id: context.correlationId,
        causation_id: context.causationId,
      });
      const contract = publishedContract(event, { eventId, familyId, context });
      if (contract) published.push(contract);
    }
  }
  if (rows.length === 0) return;
  const states = appends.flatMap(({ streamId, expectedVersion, events, kept }) =>
    kept ? [{ streamId, version: expectedVersion + events.length, shape: kept.shape, state: kept.state }] : [],
  );
  const changes = [db.insertInto('events').values(rows), ...(states.length > 0 ? [keepStates(states)] : [])];
  try {
    await appendToOutbox(executor, published, changes);
  } catch (error) {
    if (isUniqueViolation(error)) {
      const streams = appends.map(({ streamId, expectedVersion }) => `${streamId}@${expectedVersion}`).join(', ');
      throw new StreamVersionConflict(`a stream moved past its expected version (${streams})`);
    }
    throw error;
  }
}

/**
 * The contract a stored event leaves the service as, under the stored event's id — or
 * null for an event that stays inside. Used for the outbox and for the event feed alike,
 * so that both say the same about the same event.
 */
export function publishedContract(
  event: StoredEvent,
  { eventId, familyId, context }: { eventId: string; familyId: string; context: EventContext },
): DomainEvent | null {
  if (!isPublished(event.type)) return null;
  const data = eventSchemas[event.type].parse(event.data);
  return createEvent(event.type, familyId, data as never, context, eventId) as DomainEvent;
}

export const isPublished = (type: string): type is EventType => Object.hasOwn(eventSchemas, type);

/** A command against a stream, decided on the stream's state (and on `alsoRead`'s). */
export interface StreamCommand<State, Event extends StoredEvent> {
  streamId: string;
  fold: Fold<State, Event>;
  familyId: string;
  context: EventContext;
  /** Streams the decision needs besides its own, read in the same query (their versions are not checked). */
  alsoRead?: readonly StreamRead[];
  decide: (state: State, alsoRead: ReadonlyMap<string, Stream>) => Event[];
}

export interface CommandResult<State, Event extends StoredEvent> {
  /** The stream's state after the command's events. */
  state: State;
  appended: Event[];
}

/**
 * Runs a command against a stream: read, decide, append — retried from the top when
 * another writer got there first (`retryOnConflict`), so concurrent commands serialise
 * without locks.
 * `alsoInTransaction` writes lookups that must commit with the events; without it the
 * append is a single statement.
 */
export async function executeCommand<State, Event extends StoredEvent>(
  database: Database<AnswerDatabase>,
  command: StreamCommand<State, Event> & {
    alsoInTransaction?: (trx: Transaction<AnswerDatabase>, appended: Event[]) => Promise<void>;
  },
): Promise<CommandResult<State, Event>> {
  const { alsoInTransaction } = command;
  return retryOnConflict(async () => {
    const streams = await readStreams(database.db, readsOf([command]));
    const { outcomes, appends } = decideInTurn(streams, [command]);
    const [outcome] = outcomes as [PromiseSettledResult<CommandResult<State, Event>>];
    if (outcome.status === 'rejected') throw outcome.reason;
    if (alsoInTransaction) {
      await transactionWithOutbox(database.db, async (trx) => {
        await appendToStreams(trx, appends);
        await alsoInTransaction(trx, outcome.value.appended);
      });
    } else {
      await appendToStreams(database.db, appends);
    }
    rememberAppended(database.db, streams, appends);
    return outcome.value;
  });
}

/**
 * Runs commands together (a group commit): one read for all their streams, each command
 * decided in turn on the streams as the ones before it left them, and one append for all
 * that they decided, so that a busy service spends one round trip and one commit on many
 * commands instead of two each. A command whose decision refuses fails alone. When another
 * writer moved one of the streams since the read, each command runs again on its own
 * (`executeCommand`, with its retries).
 */
export async function executeCommands<State, Event extends StoredEvent>(
  database: Database<AnswerDatabase>,
  commands: ReadonlyArray<StreamCommand<State, Event>>,
): Promise<Array<PromiseSettledResult<CommandResult<State, Event>>>> {
  const streams = await readStreams(database.db, readsOf(commands));
  const { outcomes, appends } = decideInTurn(streams, commands);
  try {
    await appendToStreams(database.db, appends);
    rememberAppended(database.db, streams, appends);
    return outcomes;
  } catch (error) {
    if (!(error instanceof StreamVersionConflict)) throw error;
    return Promise.allSettled(commands.map((command) => executeCommand(database, command)));
  }
}

const readsOf = <State, Event extends StoredEvent>(
  commands: ReadonlyArray<StreamCommand<State, Event>>,
): StreamRead[] =>
  commands.flatMap((command) => [
    { streamId: command.streamId, fold: command.fold as Fold<unknown> },
    ...(command.alsoRead ?? []),
  ]);

/** Once appended (and committed), the streams as the appends left them are known too (kept ones have their row). */
function rememberAppended(
  db: Executor<AnswerDatabase>,
  streams: Map<string, Stream>,
  appends: readonly StreamAppend[],
) {
  const known = knownStreamsOf(db);
  for (const { streamId, kept } of appends) {
    const stream = streams.get(streamId);
    if (stream && !kept) remember(known, streamId, stream);
  }
}

/** Decides each command on the streams read, moving them on by what the ones before it appended. */
function decideInTurn<State, Event extends StoredEvent>(
  streams: Map<string, Stream>,
  commands: ReadonlyArray<StreamCommand<State, Event>>,
): { outcomes: Array<PromiseSettledResult<CommandResult<State, Event>>>; appends: StreamAppend[] } {
  const appends: StreamAppend[] = [];
  const outcomes = commands.map((command): PromiseSettledResult<CommandResult<State, Event>> => {
    const stream = streams.get(command.streamId) as Stream<State>;
    try {
      const appended = command.decide(stream.state, streams);
      let state = stream.state;
      for (const event of appended) state = command.fold.evolve(state, event);
      if (appended.length > 0) {
        const { streamId, familyId, context, fold } = command;
        const version = stream.version + appended.length;
        appends.push({
          streamId,
          familyId,
          expectedVersion: stream.version,
          events: appended,
          context,
          ...(fold.kept ? { kept: { shape: fold.kept.shape, state } } : {}),
        });
        streams.set(streamId, { version, state });
      }
      return { status: 'fulfilled', value: { state, appended } };
    } catch (reason) {
      return { status: 'rejected', reason };
    }
  });
  return { outcomes, appends };
}

import type { Envelope } from '@haru/contracts';
import type { Executor } from '@haru/db';
import { type Kysely, type OperationNodeSource, sql, type Transaction } from 'kysely';
import type { MessagingTables } from './messaging-migrations.ts';

/**
 * The key under which a transaction from `transactionWithOutbox` carries what it appended.
 * Not exported, so that nothing else can make a transaction one that may append.
 */
const outbox = Symbol('outbox');

/** What `transactionWithOutbox` tracks of its transaction: whether it appended, so that its commit wakes the relays. */
interface OutboxAppends {
  appended: boolean;
}

/**
 * A transaction from `transactionWithOutbox`: the only kind of transaction that may append
 * to the outbox, since only its commit wakes the relays. Helpers that append in their
 * caller's transaction take this type; any other `Transaction` is a type error there.
 */
export type OutboxTransaction<DB> = Transaction<DB> & { readonly [outbox]: OutboxAppends };

/**
 * What `appendToOutbox` accepts of `E`: a transaction from `transactionWithOutbox`, or a
 * database handle outside any transaction (the append then commits alone). `E` holding any
 * other transaction resolves to a message instead, so that passing one does not compile.
 */
export type OutboxExecutor<E> =
  Extract<E, { readonly isTransaction: true }> extends { readonly [outbox]: OutboxAppends }
    ? E
    : 'append to the outbox in a transaction from transactionWithOutbox, so that its relays are woken';

/**
 * Records events for publication with a state change, so that they are published if and
 * only if it commits: in a transaction from `transactionWithOutbox`, or alone as one
 * statement on a database handle (optionally after `changeFirst`, one or more
 * data-modifying statements run in the same statement: `with change0 as (…), change1 as
 * (…) insert into outbox …`, atomic without a transaction). Either way the relays are
 * woken once it has committed.
 */
export async function appendToOutbox<E extends Executor<MessagingTables>>(
  executor: OutboxExecutor<E>,
  events: readonly Envelope[],
  changeFirst?: OperationNodeSource | readonly OperationNodeSource[],
): Promise<void> {
  const db = executor as Executor<MessagingTables> | OutboxTransaction<MessagingTables>;
  const changes = changeFirst === undefined ? [] : Array.isArray(changeFirst) ? changeFirst : [changeFirst];
  const insert =
    events.length === 0
      ? undefined
      : sql`
    insert into outbox (event_id, type, envelope)
    select (event->>'id')::uuid, event->>'type', event
    from jsonb_array_elements(${JSON.stringify(events)}::jsonb) with ordinality as batch(event, position)
    order by position`;
  const last = insert ?? changes.at(-1);
  if (!last) return;
  const before = insert ? changes : changes.slice(0, -1);
  const statement =
    before.length === 0
      ? sql`${last}`
      : sql`with ${sql.join(before.map((change, index) => sql`${sql.raw(`change${index}`)} as (${change})`))} ${last}`;
  await statement.execute(db);
  if (events.length === 0) return;
  if (outbox in db) db[outbox].appended = true;
  else wakeRelays(db);
}

/**
 * Records events to be published no earlier than `delayMs` after this statement runs (by
 * the database's clock, which every relay reads): what is decided ahead of its instant (the
 * scheduler's due questions) waits on the outbox and leaves on time. A delay of zero or
 * less publishes at once. In a transaction from `transactionWithOutbox`, like any append.
 */
export async function holdOnOutbox(
  trx: OutboxTransaction<MessagingTables>,
  held: ReadonlyArray<{ event: Envelope; delayMs: number }>,
): Promise<void> {
  if (held.length === 0) return;
  await sql`
    insert into outbox (event_id, type, envelope, publish_at)
    select (item->'event'->>'id')::uuid, item->'event'->>'type', item->'event',
           case when (item->>'delayMs')::float8 > 0
                then clock_timestamp() + (item->>'delayMs')::float8 * interval '1 millisecond' end
    from jsonb_array_elements(${JSON.stringify(held)}::jsonb) with ordinality as batch(item, position)
    order by position`.execute(trx);
  trx[outbox].appended = true;
}

/**
 * Runs `work` in a transaction in which it may append to the outbox, and, once it has
 * committed, wakes the outbox relays if it did.
 */
export async function transactionWithOutbox<DB, T>(
  db: Kysely<DB>,
  work: (trx: OutboxTransaction<DB>) => Promise<T>,
): Promise<T> {
  const appends: OutboxAppends = { appended: false };
  const result = await db
    .transaction()
    .execute((trx) => work(Object.defineProperty(trx, outbox, { value: appends }) as OutboxTransaction<DB>));
  if (appends.appended) wakeRelays(db);
  return result;
}

/** Relays running in this process, by the database handle they relay from. */
const relaysInProcess = new WeakMap<object, () => void>();

/**
 * Has commits through `db` wake `wake` (this process's relay of that database) directly,
 * instead of with a NOTIFY. Returns the undo, for when the relay stops.
 */
export function wakeOnCommit(db: object, wake: () => void): () => void {
  relaysInProcess.set(db, wake);
  return () => {
    if (relaysInProcess.get(db) === wake) relaysInProcess.delete(db);
  };
}

/** Per database handle: a NOTIFY in flight, and whether another is owed after it. */
const notifying = new WeakMap<object, { again: boolean }>();

/**
 * Wakes a relay once events have committed.
 * - When this process relays the database itself (every service does), its own relay is
 *   woken in-process: it publishes what was just committed, so no other replica needs
 *   waking, and no commit spends a round trip on a NOTIFY.
 * - Otherwise every replica's relay is woken with a NOTIFY on `<schema>_outbox`, sent after
 *   the commit in a statement of its own. A NOTIFY inside the committing transaction (a
 *   trigger) would make PostgreSQL hold a database-wide lock through that commit's WAL
 *   flush, so that such commits went one at a time. Commits that come while one is in
 *   flight share the one sent after it.
 * A wake lost (connection trouble) delays the events by one polling interval of the
 * relays, nothing more.
 */
function wakeRelays<DB>(db: Kysely<DB>): void {
  const relayInProcess = relaysInProcess.get(db);
  if (relayInProcess) {
    relayInProcess();
    return;
  }
  const inFlight = notifying.get(db);
  if (inFlight) {
    inFlight.again = true;
    return;
  }
  const state = { again: false };
  notifying.set(db, state);
  sql`select pg_notify(current_schema() || '_outbox', '')`
    .execute(db)
    .catch(() => {})
    .finally(() => {
      notifying.delete(db);
      if (state.again) wakeRelays(db);
    });
}

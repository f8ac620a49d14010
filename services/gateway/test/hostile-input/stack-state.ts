import { services } from '@haru/dev-stack';
import { eventually, isQueueIdle, type TestStack } from '@haru/testing';
import pg from 'pg';

/** Each table of each service's schema, by `schema.table`: its row count and a digest of its rows. */
export type StateSnapshot = Record<string, string>;

export interface StackState {
  /** Every row of every service's tables, digested: any insert, update or delete changes it. */
  snapshot(): Promise<StateSnapshot>;
  /** Waits until the stack has finished the work requests caused: outboxes relayed, queues handled. */
  settled(): Promise<void>;
  /** The FCM tokens of the stack's devices, whatever their state: what its pushes can go to. */
  deviceTokens(): Promise<Set<string>>;
  close(): Promise<void>;
}

const schemas = Object.entries(services)
  .filter(([, service]) => service.database)
  .map(([name]) => name);

export async function watchStackState(stack: TestStack): Promise<StackState> {
  const client = new pg.Client({ connectionString: stack.parts.databaseUrl });
  await client.connect();
  const { rows: tables } = await client.query<{ schema: string; table: string }>(
    `select table_schema as schema, table_name as table from information_schema.tables
      where table_schema = any($1) and table_type = 'BASE TABLE' order by 1, 2`,
    [schemas],
  );
  const name = (table: { schema: string; table: string }) => `${table.schema}.${table.table}`;
  const quoted = (table: { schema: string; table: string }) =>
    `${client.escapeIdentifier(table.schema)}.${client.escapeIdentifier(table.table)}`;
  // One statement reads every table, so a snapshot is one consistent view.
  const digestAll = tables
    .map(
      (table, index) =>
        `select ${index} as index, count(*)::text || ':' || md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from ${quoted(table)} t`,
    )
    .join(' union all ');

  const snapshot = async (): Promise<StateSnapshot> => {
    const { rows } = await client.query<{ index: number; digest: string }>(digestAll);
    return Object.fromEntries(rows.map((row) => [name(tables[row.index] ?? { schema: '?', table: '?' }), row.digest]));
  };
  const queueUrls = Object.values(stack.topology.queues).map((queue) => queue.queueUrl);
  const outboxes = tables.filter((table) => table.table === 'outbox').map(quoted);

  return {
    snapshot,
    async settled() {
      await eventually(
        async () => {
          for (const outbox of outboxes) {
            const { rows } = await client.query<{ waiting: boolean }>(
              `select exists (select from ${outbox}) as waiting`,
            );
            if (rows[0]?.waiting) return false;
          }
          const idle = await Promise.all(queueUrls.map((url) => isQueueIdle(stack.aws.sqs, url)));
          return idle.every(Boolean);
        },
        { timeoutMs: 30_000, message: 'every outbox relayed and every queue handled' },
      );
    },
    async deviceTokens() {
      const { rows } = await client.query<{ token: string }>('select token from notifier.devices');
      return new Set(rows.map((row) => row.token));
    },
    close: () => client.end(),
  };
}

/** The tables whose rows differ between two snapshots. */
export const changedTables = (before: StateSnapshot, after: StateSnapshot): string[] =>
  [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((table) => before[table] !== after[table]);

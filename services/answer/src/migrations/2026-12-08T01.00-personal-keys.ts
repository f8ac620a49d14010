import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';

/**
 * A key per membership, kept outside the events: the personal fields of a member's events
 * are sealed under it, and erasing the account destroys it (decision 9). Members who joined
 * before fields were sealed get a key too: their fields stay in the clear in the events, and
 * are shown only while the key exists (erasure also redacts them in place).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('personal_keys')
    .addColumn('member_id', 'uuid', (column) => column.primaryKey())
    .addColumn('family_id', 'uuid', (column) => column.notNull())
    .addColumn('uid', 'text', (column) => column.notNull())
    .addColumn('key', 'bytea', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index personal_keys_uid on personal_keys (uid)`.execute(db);
  // A member's events that hold personal fields: an account's export and erasure find them by index.
  await sql`create index events_personal_by_member on events ((data->>'memberId'))
    where type in ('MemberJoined', 'MemberPreferencesChanged', 'AnswerSubmitted')`.execute(db);

  const { rows } = await sql<{ member_id: string; family_id: string; uid: string }>`
    select distinct on (data->>'memberId') data->>'memberId' as member_id, family_id, data->>'uid' as uid
    from events where type = 'MemberJoined'`.execute(db);
  for (let start = 0; start < rows.length; start += 1000) {
    const batch = rows.slice(start, start + 1000);
    await sql`
      insert into personal_keys (member_id, family_id, uid, key)
      select * from unnest(${batch.map((row) => row.member_id)}::uuid[], ${batch.map((row) => row.family_id)}::uuid[],
                           ${batch.map((row) => row.uid)}::text[], ${batch.map(() => randomBytes(32))}::bytea[])
      on conflict do nothing`.execute(db);
  }
}

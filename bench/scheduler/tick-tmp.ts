import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, migrateToLatest } from '@haru/db';
import { createDatabaseIfMissing, freePort, startEmbeddedPostgres } from '@haru/dev-stack';
import { migrations, schema } from '@haru/scheduler';
import { sql } from 'kysely';
import { fireDueQuestions } from '../../services/scheduler/src/due-tick/fire-due-questions.ts';

const dir = await mkdtemp(join(tmpdir(), 'tick-'));
await chmod(dir, 0o755);
const lines: string[] = [];
const pg = await startEmbeddedPostgres({
  dataDir: join(dir, 'pg'),
  port: await freePort(),
  settings: { log_min_duration_statement: '0' },
  onLog: (l) => lines.push(l),
});
const url = await createDatabaseIfMissing(pg.url, 'tick');
const database = createDatabase<any>({ url, schema, poolSize: 2 });
await migrateToLatest(database.db, schema, migrations);
const zones = ['Asia/Seoul', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu'];
const due = new Date('2026-06-02T00:00:00Z');
await sql`insert into family_schedule (family_id, timezone, push_time, next_due_at, version_occurred_at, version_event_id)
 select gen_random_uuid(), z.tz, to_char(${due}::timestamptz at time zone z.tz, 'HH24:MI'), ${due}::timestamptz, now(), gen_random_uuid()
 from generate_series(1, 20000) i cross join lateral (select (${zones}::text[])[1 + i % 5] as tz) z`.execute(
  database.db,
);
await sql`vacuum analyze family_schedule`.execute(database.db);
const now = new Date(due.getTime() + 500);

const batchSize = Number(process.env.BATCH ?? 500);
const t = performance.now();
let n = 0;
const times: number[] = [];
for (;;) {
  const b0 = performance.now();
  const r = await fireDueQuestions(database.db, { now, batchSize, catchUpWindowMinutes: 180 });
  times.push(performance.now() - b0);
  n += r.fired;
  if (r.claimed < batchSize) break;
}
console.log(
  `fired ${n} in ${Math.round(performance.now() - t)} ms; per batch median ${Math.round(times.sort((a, b) => a - b)[times.length >> 1]!)} ms`,
);
const agg = new Map<string, number[]>();
let on = false;
for (const l of lines) {
  const m = /duration: ([\d.]+) ms\s+((?:execute|parse|bind) [^:]*|statement): (.*)/.exec(l);
  if (!m) continue;
  const q = m[2]!.split(' ')[0] + ' ' + m[3]!.slice(0, 34);
  if (m[3]!.startsWith('select "family_id"')) on = true;
  if (!on) continue;
  agg.set(q, [...(agg.get(q) ?? []), Number(m[1])]);
}
for (const [q, ds] of agg)
  console.log(q.padEnd(42), ds.length, 'median', ds.sort((a, b) => a - b)[ds.length >> 1]!.toFixed(2), 'ms');
await database.close();
await pg.stop();

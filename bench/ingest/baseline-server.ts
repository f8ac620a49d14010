// The ingest baseline: a bare Hono route that parses the same JSON body and inserts one row
// with pg, served the way the services are (@haru/http's serveApp on Node's HTTP server),
// with the same pool size as the answer service. Run as its own process by ingest.bench.ts.
// A second route inserts into a table with a NOTIFY trigger (one pg_notify per inserting
// statement, as haru's outbox had until its relays were woken after the commit instead), to
// show what a NOTIFY inside each commit costs.
//   DATABASE_URL=… PORT=… node bench/ingest/baseline-server.ts
import { serveApp } from '@haru/http';
import { Hono } from 'hono';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 10) });
await pool.query(`create table if not exists baseline_answers (
  id bigserial primary key,
  answer_key text not null,
  text text not null,
  created_at timestamptz not null default now()
)`);
await pool.query('create table if not exists baseline_notified (like baseline_answers including all)');
await pool.query(`create or replace function baseline_notify() returns trigger language plpgsql as $$
  begin
    perform pg_notify('baseline_outbox', '');
    return null;
  end $$`);
await pool.query(`create or replace trigger baseline_notify after insert on baseline_notified
  for each statement execute function baseline_notify()`);

const app = new Hono()
  .get('/healthz', (c) => c.json({ status: 'ok' }))
  .put('/answers/:key', async (c) => {
    const { text } = await c.req.json<{ text: string }>();
    await pool.query('insert into baseline_answers (answer_key, text) values ($1, $2)', [c.req.param('key'), text]);
    return c.json({ key: c.req.param('key'), text }, 201);
  })
  .put('/notified/:key', async (c) => {
    const { text } = await c.req.json<{ text: string }>();
    await pool.query('insert into baseline_notified (answer_key, text) values ($1, $2)', [c.req.param('key'), text]);
    return c.json({ key: c.req.param('key'), text }, 201);
  });

const server = await serveApp(app, { port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log(`baseline serving at ${server.url}`);
process.on('SIGTERM', async () => {
  await server.close();
  await pool.end();
  process.exit(0);
});
